// A mail's HTML made inert before the inbox serves it. The sandbox and the Content-Security-
// Policy already stop every script and every fetch; but a browser opens connections for some
// elements before it asks the policy (Chromium preconnects to an <iframe>'s host, and resource
// hints such as <link rel=preconnect> are outside CSP). A connection or DNS lookup to a sender's
// host tells the sender the mail was opened, so those elements are renamed to unknown ones,
// which the browser neither loads nor hints.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mail {

// `html` with every start and end tag of an element that can reach the network by itself
// (iframe, frame, frameset, object, embed, applet, portal, fencedframe, link, meta, base, video,
// audio, source, track) renamed by an "x-" prefix: "<IFRAME src=...>" -> "<x-IFRAME src=...>".
// Tag names are found as the HTML tokenizer finds them ('<', an optional '/', an ASCII letter,
// up to whitespace, '/' or '>'; compared ASCII case-insensitively). A match inside a comment or
// an attribute value is renamed too, which changes only text a reader sees, never what loads.
std::string inert_html(std::string_view html);

// What a "cid:" URL's Content-ID (percent-decoded) stands for: a data: URL, or nothing.
using CidLookup = std::function<std::optional<std::string>(std::string_view content_id)>;

// `html` with each "cid:ID" URL (RFC 2392: an image the mail carries in a part with that
// Content-ID) that `lookup` knows replaced by what it returns, so the images show under a policy
// that lets nothing be fetched (img-src data:). A URL is taken where one starts in markup and
// CSS: after '"', '\'', '=' or '(' ; it ends at a quote, whitespace, '>' or ')'. Unknown ids stay.
std::string inline_cid_images(std::string_view html, const CidLookup& lookup);

}  // namespace mail
