// Plain text as is: decoded to UTF-8 in chunks (text_decode.hpp), never
// held whole, stopping at the text cap.
#include "extract/formats.hpp"

#include "extract/text_decode.hpp"

#include <fstream>
#include <vector>

namespace jirasync::extract {

namespace {

constexpr std::size_t chunk_bytes = 64 << 10;

} // namespace

extract_outcome extract_plain_text(const std::filesystem::path& file,
                                   text_sink& sink) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return extract_outcome::fail(text_status::failed, "cannot read the file");
  std::vector<char> buf(chunk_bytes);
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  std::string_view chunk{buf.data(), static_cast<std::size_t>(in.gcount())};
  auto sniff = sniff_text(chunk, in.eof());
  text_decoder decoder{sniff.encoding, sniff.bom_bytes};
  std::string out;
  while (!sink.full()) {
    out.clear();
    decoder.feed(chunk, out);
    bool last = in.eof();
    if (last)
      decoder.finish(out);
    sink.text(out);
    if (last)
      break;
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    chunk = std::string_view{buf.data(), static_cast<std::size_t>(in.gcount())};
  }
  if (in.bad())
    return extract_outcome::fail(text_status::failed, "read error");
  return extract_outcome::ok();
}

} // namespace jirasync::extract
