#pragma once
// The one error type of jirasync: a code, a one-line message and the record
// it concerns. Expected failures are values (`result<T>`), never exceptions;
// exceptions are left to start-up, config errors and programming faults.
//
// Thread-safety: plain values.

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace jirasync::common {

/// What went wrong, for deciding what to do next (retry, skip the record,
/// fail the run). Each layer uses the codes that fit it.
enum class errc {
  /// Something that should exist does not (a store, a record, a file).
  not_found = 1,
  /// Input that breaks its format or our limits: malformed JSON, a record
  /// nested or sized beyond the documented bounds, a wrong type. Permanent:
  /// never retried.
  invalid_input,
  /// The caller passed something invalid (a programming or usage error).
  invalid_argument,
  /// A transient failure after retries (network, HTTP 5xx, 429 storms).
  unavailable,
  /// A deadline passed.
  timeout,
  /// Credentials rejected or expired (HTTP 401, invalid_grant).
  unauthenticated,
  /// Authenticated but not allowed (HTTP 403).
  permission_denied,
  /// Another process (or object) holds a lock.
  locked,
  /// Written by a newer jirasync (unknown schema).
  schema_too_new,
  /// Disk full or quota exceeded.
  no_space,
  /// Any other I/O error (file system, RocksDB).
  io_error,
  /// Stored data is unreadable.
  corruption,
  /// A write to something opened read-only.
  read_only,
  /// Stopped on request (signal, cancel).
  cancelled,
  /// A bug or an unexpected exception caught at a boundary.
  internal,
};

/// The enumerator's name, e.g. "invalid_input".
std::string_view to_string(errc code);

/// An expected failure.
struct error {
  errc code = errc::internal;
  /// One line, never holding secrets, e.g. "nested deeper than 64 levels at
  /// fields.customfield_10010".
  std::string message;
  /// The record it concerns ("issue 10001", "comment 77",
  /// "attachment 5 (report.pdf)", "project ABC"); empty when none.
  std::string record;

  /// "issue 10001: <message>" or just the message.
  std::string to_string() const;

  friend bool operator==(const error&, const error&) = default;
};

inline error make_error(errc code, std::string message,
                        std::string record = {}) {
  return error{code, std::move(message), std::move(record)};
}

/// A value or an error (Boost.System's result: `has_value()`, `operator*`,
/// `error()`, `value()` throws `error_exception`).
template<class T>
using result = boost::system::result<T, error>;

/// Thrown by `result<T>::value()` on an error (a programming fault: check
/// `has_value()` first).
class error_exception : public std::exception {
public:
  explicit error_exception(error e);
  const char* what() const noexcept override;
  const error& err() const noexcept {
    return err_;
  }

private:
  error err_;
  std::string what_;
};

/// Found by ADL from boost::system::result<T, error>::value().
[[noreturn]] void throw_exception_from_error(const error& e,
                                             const boost::source_location&);

} // namespace jirasync::common
