// Content-Type from a file name's extension: for web_server's responses and mail_client's
// attachments.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace net {

// "text/html; charset=utf-8" for "index.html", from the built-in table of common web types;
// case-insensitive on the extension; text types carry charset=utf-8; unknown or no extension:
// "application/octet-stream".
std::string_view content_type_for(std::string_view file_name);

// Whether a type is text a browser should decode as UTF-8: text/*, application/json,
// application/javascript, application/xml, and any "+json" or "+xml" type (case-insensitive).
bool is_text_type(std::string_view type);

// One extension of one line of a mime.types file ("text/x-python  py" -> {"text/x-python", "py"}):
// views into the parsed text, extensions as written (any case).
struct MimeTypesEntry {
    std::string_view type;
    std::string_view extension;
};

// The entries of a mime.types file (the format of Debian's /etc/mime.types, Apache's and
// nginx's): one type per line, then its extensions, separated by blanks; '#' starts a comment
// that runs to the end of the line. Lines whose first field is not "type/subtype", and
// extensions that are not tokens or contain '/', are skipped. In the file's order, duplicates
// kept.
std::vector<MimeTypesEntry> parse_mime_types(std::string_view text);

// The types web_server serves: a mime.types file's, with the built-in table as the fallback for
// extensions the file lacks, and the winner for the few the web needs exact (html, css, js, mjs,
// json, wasm, svg, txt, xml, the images browsers show...). When the file names an extension
// twice the later line wins (as in python's mimetypes). Text types get
// "; charset=utf-8".
// Thread-safe once built: type_for() is const and allocates nothing.
class MediaTypes {
  public:
    static constexpr std::size_t kLongestExtension = 32;  // longer ones are ignored

    // The built-in table and the types of `mime_types_text` (the text of a mime.types file).
    explicit MediaTypes(std::string_view mime_types_text = {});

    // The type for `file_name` ("dir/a.py"): by its last extension, case-insensitive;
    // "application/octet-stream" when there is none or it is unknown. The view lives as long as
    // this object.
    [[nodiscard]] std::string_view type_for(std::string_view file_name) const;
    [[nodiscard]] std::size_t size() const { return types_.size(); }

  private:
    // Heterogeneous lookup: find() takes a string_view, so a lookup builds no string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> types_;  // lower-case key
};

}  // namespace net
