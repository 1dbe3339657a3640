// Book step: "capitalizedSentence = sentence.upper(); connectionSocket.send(...)", for a
// stream of any size: no line framing, so no line-length limit and binary data survives.
#include "upper_case_service.hpp"

#include "common/ascii.hpp"

namespace tcp {

namespace {

void upper_case_and_echo(net::TcpConnection& conn) {
    net::Buffer& input = conn.input();
    net::upper_case_ascii({input.peek_mut(), input.readable_bytes()});
    conn.send(input.view());
    input.consume_all();
    if (conn.output_bytes() > kOutputHighWater) conn.pause_reading();  // backpressure
}

}  // namespace

net::TcpCallbacks upper_case_callbacks(const net::Logger& log) {
    net::TcpCallbacks callbacks;
    callbacks.on_open = [&log](net::TcpConnection& conn) {
        log.debug("[" + std::to_string(conn.id()) + "] connection from " + conn.peer().to_string());
    };
    callbacks.on_data = upper_case_and_echo;
    callbacks.on_drained = [](net::TcpConnection& conn) { conn.resume_reading(); };
    callbacks.on_close = [&log](net::TcpConnection& conn) {
        log.debug("[" + std::to_string(conn.id()) + "] closed");
    };
    return callbacks;
}

}  // namespace tcp
