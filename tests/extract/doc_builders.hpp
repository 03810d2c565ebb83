#pragma once
// The extraction tests' documents: jira-sim's generator of real documents
// with known text (sim/documents.hpp, also what the sim serves), plus the
// tests' scratch directory.

#include "sim/documents.hpp"
#include "test_util/temp_dir.hpp"

namespace jirasync::testing {

using namespace jirasim::docs;

/// A unique temp dir removed on destruction (the tests' one helper).
using scratch_dir = jirasync::test::temp_dir;

} // namespace jirasync::testing
