#pragma once

// Internal: the simulator's deterministic PRNG (splitmix64). Every generated
// value derives from the workspace seed and a salt naming what is being
// generated, so lazily generated content is reproducible in any order.

#include <cstdint>
#include <string>
#include <vector>

namespace jirasim::detail {

/// splitmix64 finalizer: a strong 64-bit mix.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Combines values into one salt.
inline uint64_t salt(uint64_t a, uint64_t b) {
  return mix64(a ^ mix64(b + 0x632be59bd9b4e019ULL));
}
inline uint64_t salt(uint64_t a, uint64_t b, uint64_t c) {
  return salt(salt(a, b), c);
}
inline uint64_t salt(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return salt(salt(a, b, c), d);
}

/// Salt kinds (stable numbers: changing them changes every workspace).
enum salt_kind : uint64_t {
  k_users = 1,
  k_groups,
  k_projects,
  k_issues,
  k_comments,
  k_attachments,
  k_description,
  k_comment_body,
  k_custom,
  k_content,
  k_token,
  k_audit,
  k_site,
  k_new_issue,
  k_new_comment,
  k_schemes,
};

class rng {
public:
  explicit rng(uint64_t seed) : state_(seed) {
    // nop
  }
  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (n > 0); bias negligible for our n.
  uint64_t below(uint64_t n) {
    return n == 0 ? 0 : next() % n;
  }
  /// Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  /// Uniform in [0, 1).
  double unit() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
  bool chance(double p) {
    return unit() < p;
  }
  template<class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template<class T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }
  std::string hex(size_t digits) {
    static constexpr char d[] = "0123456789abcdef";
    std::string s(digits, '0');
    for (auto& c : s)
      c = d[next() & 15];
    return s;
  }
  /// RFC 4122 v4-looking UUID.
  std::string uuid() {
    auto s = hex(32);
    s[12] = '4';
    s[16] = "89ab"[next() & 3];
    return s.substr(0, 8) + "-" + s.substr(8, 4) + "-" + s.substr(12, 4) + "-"
           + s.substr(16, 4) + "-" + s.substr(20);
  }

private:
  uint64_t state_;
};

} // namespace jirasim::detail
