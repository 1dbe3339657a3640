// Return-Path and Received (RFC 5321 4.4, RFC 3848 protocol names): exact text, and the client's
// HELO name never escaping its comment.
#include "mail_server/trace_headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mail {
namespace {

constexpr std::time_t kWhen = 784111777;  // Sun, 06 Nov 1994 08:49:37 +0000

// EHLO laptop from 127.0.0.1, one recipient, no TLS.
TraceInfo typical() {
    TraceInfo info;
    info.reverse_path = "alice@example.org";
    info.helo = "laptop";
    info.client_address = "127.0.0.1";
    info.hostname = "mx.example.org";
    info.protocol = "ESMTP";
    info.tls = "";
    info.id = "1A2B3C";
    info.recipient = "bob@example.org";
    info.when = kWhen;
    return info;
}

// The header block split at CRLF; fails when a line has a bare CR or LF or the block does not
// end with CRLF.
std::vector<std::string> lines_of(std::string_view headers) {
    std::vector<std::string> lines;
    EXPECT_TRUE(headers.ends_with("\r\n")) << headers;
    while (!headers.empty()) {
        const auto end = headers.find("\r\n");
        if (end == std::string_view::npos) {
            ADD_FAILURE() << "unterminated line: " << headers;
            break;
        }
        const auto line = headers.substr(0, end);
        EXPECT_EQ(line.find_first_of("\r\n"), std::string_view::npos) << "bare CR or LF: " << line;
        lines.emplace_back(line);
        headers.remove_prefix(end + 2);
    }
    return lines;
}

// Two header fields, the second folded: every line after the first two starts with a tab.
void expect_header_shape(std::string_view headers) {
    const auto lines = lines_of(headers);
    ASSERT_GE(lines.size(), 3U) << headers;
    EXPECT_TRUE(lines[0].starts_with("Return-Path: <")) << lines[0];
    EXPECT_TRUE(lines[1].starts_with("Received: from ")) << lines[1];
    for (std::size_t i = 2; i < lines.size(); ++i)
        EXPECT_TRUE(lines[i].starts_with("\t")) << "line " << i << ": " << lines[i];
}

TEST(TraceHeadersTest, TypicalDelivery) {
    const auto headers = format_trace_headers(typical());
    EXPECT_EQ(headers,
              "Return-Path: <alice@example.org>\r\n"
              "Received: from laptop ([127.0.0.1])\r\n"
              "\tby mx.example.org (mail_server) with ESMTP id 1A2B3C\r\n"
              "\tfor <bob@example.org>;\r\n"
              "\tSun, 06 Nov 1994 08:49:37 +0000\r\n");
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, SeveralRecipientsGetNoFor) {
    // RFC 5321 7.2: naming one of several recipients would disclose it to the others.
    auto info = typical();
    info.recipient.reset();
    const auto headers = format_trace_headers(info);
    EXPECT_EQ(headers,
              "Return-Path: <alice@example.org>\r\n"
              "Received: from laptop ([127.0.0.1])\r\n"
              "\tby mx.example.org (mail_server) with ESMTP id 1A2B3C;\r\n"
              "\tSun, 06 Nov 1994 08:49:37 +0000\r\n");
    EXPECT_EQ(headers.find("for <"), std::string::npos);
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, Ipv6ClientIsAnIpv6AddressLiteral) {
    auto info = typical();
    info.client_address = "::1";
    const auto headers = format_trace_headers(info);
    EXPECT_NE(headers.find("Received: from laptop ([IPv6:::1])\r\n"), std::string::npos) << headers;
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, NullReversePath) {
    auto info = typical();
    info.reverse_path = "";
    const auto headers = format_trace_headers(info);
    EXPECT_TRUE(headers.starts_with("Return-Path: <>\r\nReceived: ")) << headers;
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, TlsIsDescribedInAComment) {
    auto info = typical();
    info.protocol = "ESMTPS";
    info.tls = "TLSv1.3 TLS_AES_256_GCM_SHA384";
    const auto headers = format_trace_headers(info);
    EXPECT_NE(headers.find("\tby mx.example.org (mail_server) with ESMTPS "
                           "(TLSv1.3 TLS_AES_256_GCM_SHA384) id 1A2B3C\r\n"),
              std::string::npos)
        << headers;
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, AddressLiteralHeloIsUsedAsIs) {
    auto info = typical();
    info.helo = "[127.0.0.1]";
    const auto headers = format_trace_headers(info);
    EXPECT_NE(headers.find("Received: from [127.0.0.1] ([127.0.0.1])\r\n"), std::string::npos)
        << headers;
}

TEST(TraceHeadersTest, HeloThatIsNotADomainStaysInAComment) {
    auto info = typical();
    info.helo = "bad name (x)";
    const auto headers = format_trace_headers(info);
    EXPECT_NE(headers.find("Received: from [127.0.0.1] (helo=bad name ?x? [127.0.0.1])\r\n"),
              std::string::npos)
        << headers;
    EXPECT_EQ(headers.find("bad name (x)"), std::string::npos) << headers;
    expect_header_shape(headers);
}

TEST(TraceHeadersTest, NothingOfAHostileHeloSurvivesButPrintableText) {
    const std::string hostile[] = {
        "evil\r\nBcc: victim@example.org",
        "a)(b\\c",
        std::string("nul\0byte", 8),
        "tab\there\x7f\x1b[31m",
        "caf\xc3\xa9.example",  // UTF-8 without SMTPUTF8 is not a domain here
        "x.example)\r\n\tby forged.example",
    };
    for (const auto& helo : hostile) {
        auto info = typical();
        info.helo = helo;
        const auto headers = format_trace_headers(info);
        expect_header_shape(headers);
        const auto lines = lines_of(headers);
        ASSERT_EQ(lines.size(), 5U) << headers;
        // "Received: from [127.0.0.1] (helo=" <comment> " [127.0.0.1])"
        const std::string_view line = lines[1];
        const std::string_view head = "Received: from [127.0.0.1] (helo=";
        const std::string_view tail = " [127.0.0.1])";
        ASSERT_TRUE(line.starts_with(head)) << line;
        ASSERT_TRUE(line.ends_with(tail)) << line;
        const auto comment = line.substr(head.size(), line.size() - head.size() - tail.size());
        for (const char c : comment) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_TRUE(u >= 32 && u <= 126 && c != '(' && c != ')' && c != '\\')
                << "byte " << static_cast<int>(u) << " in " << comment;
        }
        EXPECT_EQ(headers.find("\tby forged"), std::string::npos) << headers;
    }
}

TEST(TraceHeadersTest, WithProtocol) {
    struct Row {
        bool extended;
        bool tls;
        bool authenticated;
        std::string_view protocol;
    };
    const Row rows[] = {
        {false, false, false, "SMTP"}, {true, false, false, "ESMTP"}, {true, true, false, "ESMTPS"},
        {true, false, true, "ESMTPA"}, {true, true, true, "ESMTPSA"},
    };
    for (const auto& [extended, tls, authenticated, protocol] : rows) {
        EXPECT_EQ(with_protocol(extended, tls, authenticated), protocol)
            << "extended=" << extended << " tls=" << tls << " authenticated=" << authenticated;
    }
}

}  // namespace
}  // namespace mail
