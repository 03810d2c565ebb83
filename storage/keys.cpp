#include "storage/keys.hpp"

namespace jirasync::storage::keys {

namespace {

constexpr char tag_number = '\x00';
constexpr char tag_string = '\x01';

// Canonical decimal: digits only, no leading zero (except "0"), fits u64.
std::optional<std::uint64_t> as_number(std::string_view id) {
  if (id.empty() || id.size() > 20 || (id.size() > 1 && id[0] == '0'))
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

} // namespace

std::string encode_be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

std::optional<std::uint64_t> decode_be64(std::string_view in) {
  if (in.size() != 8)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : in)
    v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string encode_id(std::string_view id) {
  if (auto n = as_number(id)) {
    std::string out(1, tag_number);
    out += encode_be64(*n);
    return out;
  }
  std::string out(1, tag_string);
  out += id;
  out += '\0';
  return out;
}

std::optional<std::string> decode_id(std::string_view& in) {
  if (in.empty())
    return std::nullopt;
  if (in[0] == tag_number) {
    if (in.size() < 9)
      return std::nullopt;
    auto v = decode_be64(in.substr(1, 8));
    in.remove_prefix(9);
    return std::to_string(*v);
  }
  if (in[0] == tag_string) {
    auto end = in.find('\0', 1);
    if (end == std::string_view::npos)
      return std::nullopt;
    std::string out{in.substr(1, end - 1)};
    in.remove_prefix(end + 1);
    return out;
  }
  return std::nullopt;
}

std::string encode_pair(std::string_view parent, std::string_view child) {
  return encode_id(parent) + encode_id(child);
}

} // namespace jirasync::storage::keys
