// ServerProcess: start a server on -p 0 and learn its address from its first line.
#include "tests/support/server_process.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tests/support/socket_client.hpp"

namespace net::test {

namespace {

// The last word of `line` that starts with "http://" or "https://" ("web_server: serving ROOT at
// http://127.0.0.1:8080/"): the last, so a ROOT that looks like a URL is not taken for it.
std::string_view last_url_in(std::string_view line) {
    std::string_view found;
    for (const std::string_view scheme : {"http://", "https://"}) {
        for (auto at = line.find(scheme); at != std::string_view::npos;
             at = line.find(scheme, at + 1)) {
            const bool starts_word = at == 0 || line[at - 1] == ' ' || line[at - 1] == '\t';
            if (starts_word && (found.empty() || line.data() + at > found.data())) {
                found = line.substr(at);
            }
        }
    }
    return found;
}

}  // namespace

std::optional<Announced> parse_listening_line(std::string_view line) {
    constexpr std::string_view kMarker = "listening on ";
    const auto at = line.find(kMarker);
    std::string_view text;
    if (at != std::string_view::npos) {
        text = line.substr(at + kMarker.size());
    } else {
        text = last_url_in(line);
        if (text.empty()) return std::nullopt;
    }
    // The address ends at a space, or at the comma before more text ("listening on
    // 127.0.0.1:2525, storing to ./mail").
    text = text.substr(0, text.find_first_of(" \t\r\n,"));
    if (const auto scheme = text.find("://"); scheme != std::string_view::npos) {
        text.remove_prefix(scheme + 3);
    }

    Announced result;
    std::string_view port_text;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
            return std::nullopt;
        }
        result.host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        result.host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    port_text = port_text.substr(0, port_text.find('/'));  // "8080/" of a URL
    unsigned port = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535 || result.host.empty()) {
        return std::nullopt;
    }
    result.port = static_cast<std::uint16_t>(port);
    return result;
}

ServerProcess ServerProcess::start(std::string_view program, std::vector<std::string> args,
                                   ServerOptions options) {
    const bool has_port = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a == "-p" || a == "--port" || a.starts_with("--port=") ||
               (a.starts_with("-p") && a.size() > 2);
    });
    if (options.ephemeral_port && !has_port) {
        args.emplace_back("-p");
        args.emplace_back("0");
    }

    TempDir dir;
    const std::filesystem::path log_path = dir.file(std::string(program) + ".stderr");
    ProcessOptions process_options = std::move(options.process);
    process_options.out = Redirect::pipe();
    if (process_options.err.kind() == Redirect::Kind::kPipe) {
        process_options.err = Redirect::file(log_path);
    }
    std::string command = std::string(program);
    for (const auto& a : args)
        command += " " + a;

    ServerProcess server(
        std::move(dir), log_path,
        Process::start(bin_path(program), std::move(args), std::move(process_options)));
    const Deadline deadline(options.startup_timeout);
    const auto line = server.process_.read_line(deadline);
    if (!line) {
        std::string state = "still running";
        if (const auto status = server.process_.wait(Deadline(milliseconds(100)))) {
            state = status->describe();
        }
        throw std::runtime_error("`" + command + "` printed no first line (" + state +
                                 "); its stderr: [" + server.log() + "]");
    }
    server.first_line_ = *line;
    const auto announced = parse_listening_line(*line);
    if (!announced) {
        throw std::runtime_error("`" + command + "` printed a first line with no address: [" +
                                 *line + "]; its stderr: [" + server.log() + "]");
    }
    server.announced_ = *announced;
    return server;
}

std::string ServerProcess::connect_host() const {
    if (announced_.host == "0.0.0.0") return "127.0.0.1";
    if (announced_.host == "::") return "::1";
    return announced_.host;
}

std::string ServerProcess::endpoint() const {
    const std::string host = connect_host();
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + port_string();
}

std::string ServerProcess::log() const {
    try {
        return read_file(log_path_);
    } catch (const std::exception& e) {
        return std::string("(no log: ") + e.what() + ")";
    }
}

std::optional<std::size_t> ServerProcess::rss_bytes() const {
    return test::rss_bytes(process_.pid());
}

std::optional<ExitStatus> ServerProcess::stop(int sig, Clock::duration timeout) {
    process_.signal(sig);
    return process_.wait(Deadline(timeout));
}

std::optional<std::size_t> rss_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (!line.starts_with("VmRSS:")) continue;
        std::size_t kib = 0;
        const auto digits = line.find_first_of("0123456789");
        if (digits == std::string::npos) return std::nullopt;
        const auto [end, error] =
            std::from_chars(line.data() + digits, line.data() + line.size(), kib);
        (void)end;
        if (error != std::errc()) return std::nullopt;
        return kib * 1024;
    }
    return std::nullopt;
}

bool wait_for_log(const ServerProcess& server, std::string_view needle, const Deadline& deadline) {
    while (server.log().find(needle) == std::string::npos) {
        if (deadline.expired()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

bool wait_until_refusing(const ServerProcess& server, const Deadline& deadline,
                         const std::function<void()>& each_try) {
    while (!deadline.expired()) {
        if (each_try) each_try();
        try {
            (void)connect_tcp(server.connect_host(), server.port(), deadline);
        } catch (const std::system_error&) {
            return true;
        }
    }
    return false;
}

}  // namespace net::test
