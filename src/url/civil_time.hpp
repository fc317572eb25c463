// Proleptic Gregorian dates <-> days since 1970-01-01 (H. Hinnant's
// algorithms), for the formats the network protocols read and write
// (HTTP-dates, SigV4's ISO 8601 basic format, S3's timestamps).
#ifndef AVIO_SRC_URL_CIVIL_TIME_HPP
#define AVIO_SRC_URL_CIVIL_TIME_HPP

#include <cstdint>

namespace avio::url_internal {

struct CivilDate {
  int64_t year;
  int64_t month;  // 1..12
  int64_t day;    // 1..31
};

// Days from 1970-01-01 to y-m-d.
constexpr int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The date `days` after 1970-01-01 (negative: before).
constexpr CivilDate civil_from_days(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Unix time split into its day (floor) and the seconds into it.
constexpr int64_t day_of(int64_t unix_time) { return (unix_time >= 0 ? unix_time : unix_time - 86399) / 86400; }

static_assert(days_from_civil(1970, 1, 1) == 0 && days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11017).year == 2000 && civil_from_days(11017).month == 3);

}  // namespace avio::url_internal

#endif  // AVIO_SRC_URL_CIVIL_TIME_HPP
