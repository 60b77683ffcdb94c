#include "model/arrival.h"

#include <gtest/gtest.h>

#include "io/error.h"
#include "model/load.h"
#include "testing/testing.h"

namespace tallyscope {
namespace {

using testing::temp_file;

Election final_count() {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\ntimezone = \"-04:00\"\n", "s");
  return load_election(temp_file("id,A,B\n1,5,3\n2,4,4\n3,1,9\n4,2,2\n"), o);
}

void expect_arrival_error(const std::string& csv, const std::string& needle, const ArrivalReadOptions& o = {}) {
  Election f = final_count();
  std::string path = temp_file(csv);
  try {
    read_arrival_times(path, f, o);
    FAIL() << "no error, wanted " << needle;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(Arrival, ReadsTimesWithZonesHonoured) {
  Election f = final_count();
  // 23:40:57Z and 19:40:57-04:00 are the same instant; a time without a zone takes the spec's -04:00.
  Arrival a = read_arrival_times(
      temp_file("id,verified_at\n2,2019-10-20T23:40:57Z\n1,2019-10-20T19:40:57-04:00\n3,2019-10-20 19:41:00\n"), f);
  EXPECT_EQ(a.arrived, 3u);
  EXPECT_EQ(a.order[0], a.order[1]);
  EXPECT_EQ(a.order[0], 1571614857000);
  EXPECT_EQ(a.order[2] - a.order[0], 3000);
  EXPECT_FALSE(a.has_arrived(3));
  EXPECT_EQ(a.time_text[1], "2019-10-20T23:40:57Z");
}

TEST(Arrival, BadInput) {
  expect_arrival_error("id,verified_at\n9,2019-10-20T19:40:57Z\n", "'9' is not in the final count");
  expect_arrival_error("id,verified_at\n1,2019-10-20T19:40:57Z\n1,2019-10-20T19:41:57Z\n", "repeats (first on line 2)");
  expect_arrival_error("id,verified_at\n1,20/10/2019 19:40\n", ":2:2");
  expect_arrival_error("id,verified_at\n", "no rows");
  expect_arrival_error("id,count\n1,3\n", "no time column");
  ArrivalReadOptions o;
  o.time_column = "when";
  expect_arrival_error("id,verified_at\n1,2019-10-20T19:40:57Z\n", "no such time column", o);
}

TEST(Arrival, FinalCountWithRepeatedIdsIsRefused) {
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\n", "s");
  Election f = load_election(temp_file("id,A,B\n1,5,3\n1,4,4\n"), o);
  EXPECT_THROW(read_arrival_times(temp_file("id,time\n1,2019-10-20T19:40:57Z\n"), f), InputError);
  EXPECT_THROW(arrival_from_snapshots({&f}, f), InputError);
}

TEST(Arrival, TimeColumnByWholeWords) {
  Election f = final_count();
  // "candidate" contains "date" but is not a time column.
  Arrival a = read_arrival_times(temp_file("id,candidate,when\n1,x,2019-10-20T19:40:57Z\n"), f);
  EXPECT_EQ(a.arrived, 1u);
}

TEST(Arrival, Snapshots) {
  Election f = final_count();
  LoadOptions o;
  o.spec = parse_spec("choices = [\"A\", \"B\"]\n[columns]\nid = \"id\"\n", "s");
  Election s1 = load_election(temp_file("id,A,B\n2,4,4\n"), o);
  Election s2 = load_election(temp_file("id,A,B\n2,4,4\n1,5,3\n"), o);
  Arrival a = arrival_from_snapshots({&s1, &s2}, f);
  EXPECT_EQ(a.order[1], 0);
  EXPECT_EQ(a.order[0], 1);
  EXPECT_FALSE(a.has_arrived(2));
  EXPECT_EQ(a.arrived, 2u);
  // Not cumulative: a sheet disappears.
  EXPECT_THROW(arrival_from_snapshots({&s2, &s1}, f), InputError);
  Election bad = load_election(temp_file("id,A,B\n7,1,1\n"), o);
  EXPECT_THROW(arrival_from_snapshots({&bad}, f), InputError);
}

}  // namespace
}  // namespace tallyscope
