#pragma once
// Small helpers shared by the http test files (no Beast here).

#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>

namespace jirasync::test {

/// `data` deflated at level 6; window_bits: 15 + 16 gzip, 15 zlib, -15 raw
/// deflate. REQUIREs that zlib succeeds.
inline std::string zlib_compress(const std::string& data, int window_bits) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY)
          == Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

} // namespace jirasync::test
