// Book step: "capitalizedSentence = sentence.upper(); connectionSocket.send(...)", for a
// stream of any size: no line framing, so no line-length limit and binary data survives.
#include "upper_case_service.hpp"

#include <string>

#include "common/ascii.hpp"

namespace tcp {

void UpperCaseHandler::on_open(net::TcpConnection& conn) {
    log_.debug("[" + std::to_string(conn.id()) + "] connection from " + conn.peer().to_string());
}

void UpperCaseHandler::on_data(net::TcpConnection& conn) {
    net::Buffer& input = conn.input();
    net::upper_case_ascii({input.peek_mut(), input.readable_bytes()});
    conn.send(input.view());
    input.consume_all();
}

void UpperCaseHandler::on_close(net::TcpConnection& conn) {
    log_.debug("[" + std::to_string(conn.id()) + "] closed");
}

}  // namespace tcp
