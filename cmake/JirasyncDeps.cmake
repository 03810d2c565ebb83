# Every third-party dependency, found once (Debian 12 packages: see
# scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(ZLIB REQUIRED)
# EXACT needs the full "1.81.0" (BoostConfigVersion compares with STREQUAL).
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url system)
find_package(RocksDB 7.8 CONFIG REQUIRED)
find_package(tomlplusplus 3 CONFIG REQUIRED)
find_package(CLI11 2 CONFIG REQUIRED)
find_package(spdlog 1.10 CONFIG REQUIRED)
# Time zones (IANA tzdb from the system's /usr/share/zoneinfo): libstdc++ 12
# has no std::chrono::tzdb yet; Howard Hinnant's date is its reference design.
find_package(date 3 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# Attachment text extraction (extract/): PDF text (poppler-cpp), Office Open
# XML (ZIP through libzip, XML through expat, whose billion-laughs guard
# needs >= 2.4), HTML (libxml2's HTML parser). Tests assemble OOXML files
# with libzip too.
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp>=22)
# libzip through pkg-config: Debian 12's libzip CMake config names the
# zipcmp/zipmerge/ziptool programs, which libzip-dev does not install.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip>=1.7)
find_package(expat 2.4 CONFIG REQUIRED)
find_package(LibXml2 2.9 REQUIRED)
if(JIRASYNC_TESTS)
  find_package(Catch2 2.13 CONFIG REQUIRED)
  # Tests check the produced Markdown by parsing it with GitHub's CommonMark.
  find_library(CMARK_GFM_LIBRARY NAMES cmark-gfm REQUIRED)
  find_library(CMARK_GFM_EXT_LIBRARY NAMES cmark-gfm-extensions REQUIRED)
  add_library(cmark_gfm INTERFACE)
  target_link_libraries(cmark_gfm INTERFACE ${CMARK_GFM_EXT_LIBRARY} ${CMARK_GFM_LIBRARY})
endif()

# CAF 0.17.6: Debian ships neither a CMake config nor a .pc file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY NAMES caf_core REQUIRED)
add_library(CAF::core UNKNOWN IMPORTED)
set_target_properties(CAF::core PROPERTIES
  IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)

# Boost.Asio/Beast compiled once (separate compilation) instead of in every
# translation unit that uses them. Every target that includes Asio or Beast
# must link jirasync_asio so that the macros below are consistent.
add_library(jirasync_asio STATIC ${PROJECT_SOURCE_DIR}/cmake/asio_impl.cpp)
target_compile_definitions(jirasync_asio PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(jirasync_asio PUBLIC Boost::headers Boost::system
  OpenSSL::SSL OpenSSL::Crypto Threads::Threads)


# jirasync_add_library(NAME GLOBS <globs...> [EXCLUDE <regex>] [LIBS <public libs...>])
# One static library per folder (or per protocol area), from a glob so that
# adding a file needs no CMake edit. A library with no sources yet is an
# INTERFACE target, so the tree configures at every stage.
function(jirasync_add_library name)
  cmake_parse_arguments(A "" "EXCLUDE" "GLOBS;LIBS" ${ARGN})
  list(TRANSFORM A_GLOBS PREPEND "${CMAKE_CURRENT_SOURCE_DIR}/")
  file(GLOB srcs CONFIGURE_DEPENDS ${A_GLOBS})
  if(A_EXCLUDE)
    list(FILTER srcs EXCLUDE REGEX "${A_EXCLUDE}")
  endif()
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${A_LIBS} PRIVATE jirasync_warnings)
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${A_LIBS})
  endif()
endfunction()
