// JQL syntax alone (parse_jql): the tree it builds and Jira's exact error
// texts, position included.

#include <catch2/catch.hpp>

#include "sim/jql.hpp"

using namespace jirasim;

namespace {

std::string parse_error(std::string_view q) {
  auto r = parse_jql(q);
  if (auto* e = std::get_if<jql_error>(&r))
    return e->message;
  return {};
}

jql_query parsed(std::string_view q) {
  auto r = parse_jql(q);
  if (auto* e = std::get_if<jql_error>(&r))
    FAIL("unexpected JQL error: " << e->message);
  return std::get<jql_query>(r);
}

} // namespace

TEST_CASE("JQL: AND binds tighter than OR, NOT and parentheses nest",
          "[sim][jql]") {
  auto q = parsed("id = 1 OR id = 2 AND NOT (key in (A-1, 'A-2') || id != 3)"
                  " order by updated desc, key");
  REQUIRE(q.where);
  auto& top = *q.where;
  REQUIRE(top.k == jql_node::kind::or_);
  REQUIRE(top.children.size() == 2);
  CHECK(top.children[0].k == jql_node::kind::clause);
  CHECK(top.children[0].clause.values == std::vector<std::string>{"1"});
  auto& conj = top.children[1];
  REQUIRE(conj.k == jql_node::kind::and_);
  REQUIRE(conj.children.size() == 2);
  auto& neg = conj.children[1];
  REQUIRE(neg.k == jql_node::kind::not_);
  auto& inner = neg.children.at(0);
  REQUIRE(inner.k == jql_node::kind::or_);
  CHECK(inner.children[0].clause.field == jql_field::key);
  CHECK(inner.children[0].clause.op == jql_op::in);
  CHECK(inner.children[0].clause.values
        == std::vector<std::string>{"A-1", "A-2"});
  CHECK(inner.children[1].clause.op == jql_op::ne);
  REQUIRE(q.order.size() == 2);
  CHECK(q.order[0].field == jql_field::updated);
  CHECK(q.order[0].descending);
  CHECK(q.order[1].field == jql_field::key);
  CHECK_FALSE(q.order[1].descending);
  auto ni = parsed("project not in (A, \"B C\")");
  CHECK(ni.where->clause.op == jql_op::not_in);
  CHECK(ni.where->clause.values == std::vector<std::string>{"A", "B C"});
  CHECK_FALSE(parsed("").where);
}

TEST_CASE("JQL: syntax errors word and place the complaint as Jira does",
          "[sim][jql]") {
  CHECK(parse_error("project P")
        == "Error in the JQL Query: Expecting operator but got 'P'. The "
           "valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', "
           "'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)");
  CHECK(parse_error("id in 1")
        == "Error in the JQL Query: Expecting '(' but got '1'. (line 1, "
           "character 7)");
  CHECK(parse_error("id in (1 2)")
        == "Error in the JQL Query: Expecting ',' or ')' but got '2'. (line "
           "1, character 10)");
  CHECK(parse_error("id = and")
        == "Error in the JQL Query: Expecting either a value, list or "
           "function but got 'and'. You must surround 'and' in quotation "
           "marks to use it as a value. (line 1, character 6)");
  CHECK(parse_error("id =")
        == "Error in the JQL Query: Expecting either a value, list or "
           "function but got 'EOF'. (line 1, character 5)");
  CHECK(parse_error("id = 1 order updated")
        == "Error in the JQL Query: Expecting 'by' but got 'updated'. (line "
           "1, character 14)");
  CHECK(parse_error("id = 1 order by (")
        == "Error in the JQL Query: Expecting a field name but got '('. "
           "(line 1, character 17)");
  CHECK(parse_error("id ~ 1")
        == "The operator '~' is not supported by the 'id' field.");
  CHECK(parse_error("id = 1 ORDER BY project")
        == "Not able to sort using field 'project'.");
  CHECK(parse_error("(id = 1")
        == "Error in the JQL Query: Expecting ')' but got 'EOF'. (line 1, "
           "character 8)");
  CHECK(parse_error("id = 'x")
        == "Error in the JQL Query: The quoted string 'x' has not been "
           "completed. (line 1, character 6)");
  CHECK(parse_error("id = 1 ; id = 2")
        == "Error in the JQL Query: The character ';' is a reserved JQL "
           "character. You must enclose it in a string or use the escape "
           "'\\u003b' instead. (line 1, character 8)");
}

TEST_CASE("JQL: id range clauses are found anywhere in the tree",
          "[sim][jql]") {
  CHECK(id_range_op(parsed("project = P AND id >= 10 AND id < 20"))
        == jql_op::ge);
  CHECK(id_range_op(parsed("project = P AND id < 20")) == jql_op::lt);
  CHECK(id_range_op(parsed("project = P AND (updated >= -1d OR key > P-3)"))
        == jql_op::gt);
  CHECK_FALSE(id_range_op(parsed("project = P AND id in (1, 2)")));
  CHECK_FALSE(id_range_op(parsed("project = P AND updated >= -1d")));
  CHECK_FALSE(id_range_op(parsed("ORDER BY id")));
}
