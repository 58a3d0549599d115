#include "core/geo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace pasip::geo {
namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

// The point at distance_km from (lat, lon) in direction bearing (degrees from north).
void Destination(double lat, double lon, double bearing, double distance_km, double& out_lat,
                 double& out_lon) {
  const double delta = distance_km / kEarthRadiusKm;
  const double phi = lat * kDegree;
  const double theta = bearing * kDegree;
  const double phi2 = std::asin(std::sin(phi) * std::cos(delta) +
                                std::cos(phi) * std::sin(delta) * std::cos(theta));
  const double lambda2 =
      lon * kDegree + std::atan2(std::sin(theta) * std::sin(delta) * std::cos(phi),
                                 std::cos(delta) - std::sin(phi) * std::sin(phi2));
  out_lat = phi2 / kDegree;
  out_lon = std::remainder(lambda2 / kDegree, 360.0);  // back to [-180, 180]
}

bool Contains(const BoundingBox& box, double lat, double lon) {
  return lat >= box.min_lat && lat <= box.max_lat && lon >= box.min_lon && lon <= box.max_lon;
}

TEST(Geo, Distance) {
  EXPECT_NEAR(DistanceKm(48.853, 2.3499, 48.1113, -1.6800), 308.0, 2.0);  // Paris - Rennes
  EXPECT_DOUBLE_EQ(DistanceKm(48.1113, -1.68, 48.1113, -1.68), 0.0);
  EXPECT_DOUBLE_EQ(DistanceKm(48.853, 2.3499, 48.1113, -1.68),
                   DistanceKm(48.1113, -1.68, 48.853, 2.3499));
  EXPECT_NEAR(DistanceKm(0, 0, 0, 180), std::numbers::pi * kEarthRadiusKm, 1e-6);
  EXPECT_NEAR(DistanceKm(0, 179.5, 0, -179.5), 111.2, 0.1);  // across the antimeridian
}

TEST(Geo, BoxContainsEveryPointWithinTheRadius) {
  struct Case {
    double lat, lon, radius_km;
  };
  const Case cases[] = {
      {48.853, 2.3499, 10},     // Paris
      {48.1113, -1.68, 300},    // Rennes
      {-21.1151, 55.5364, 50},  // La Réunion
      {-14.29, -178.12, 300},   // Futuna: crosses the antimeridian
      {-13.28, 176.17, 50},     // Wallis
      {89.5, 10, 100},          // contains the North Pole
      {-89.9, 0, 5},            // contains the South Pole
      {78.2, 15.6, 400},        // Svalbard: high latitude
  };
  for (const Case& c : cases) {
    const BoundingBox box = BoxAround(c.lat, c.lon, c.radius_km);
    EXPECT_GE(box.min_lat, -90.0);
    EXPECT_LE(box.max_lat, 90.0);
    EXPECT_GE(box.min_lon, -180.0);
    EXPECT_LE(box.max_lon, 180.0);
    EXPECT_TRUE(Contains(box, c.lat, c.lon));
    for (int bearing = 0; bearing < 360; bearing += 5) {
      for (const double fraction : {0.5, 0.9999}) {
        double lat = 0;
        double lon = 0;
        Destination(c.lat, c.lon, bearing, c.radius_km * fraction, lat, lon);
        ASSERT_LE(DistanceKm(c.lat, c.lon, lat, lon), c.radius_km + 1e-6);
        EXPECT_TRUE(Contains(box, lat, lon))
            << c.lat << "," << c.lon << " r=" << c.radius_km << " bearing " << bearing;
      }
    }
  }
}

TEST(Geo, BoxIsTight) {
  const BoundingBox box = BoxAround(48.853, 2.3499, 10);
  EXPECT_NEAR(box.max_lat - box.min_lat, 2 * 10 / (kEarthRadiusKm * kDegree), 1e-9);
  EXPECT_NEAR(box.max_lon - box.min_lon, 0.2736, 0.001);  // 2 * 0.0899 / cos(48.853)
  const BoundingBox pole = BoxAround(89.5, 10, 100);
  EXPECT_EQ(pole.max_lat, 90.0);
  EXPECT_EQ(pole.min_lon, -180.0);
  EXPECT_EQ(pole.max_lon, 180.0);
  const BoundingBox futuna = BoxAround(-14.29, -178.12, 300);
  EXPECT_EQ(futuna.min_lon, -180.0);
  EXPECT_EQ(futuna.max_lon, 180.0);
  const BoundingBox zero = BoxAround(45, 5, 0);
  EXPECT_TRUE(Contains(zero, 45, 5));
  const BoundingBox none = BoxAround(45, 5, -3);
  EXPECT_EQ(none.min_lat, 45.0);
  EXPECT_EQ(none.max_lon, 5.0);
}

TEST(Geo, Lambert93) {
  // The projection's origin: 46°30' N on the central meridian, 3° E.
  const Lambert93 origin = ToLambert93(46.5, 3.0);
  EXPECT_NEAR(origin.x, 700000.0, 0.01);
  EXPECT_NEAR(origin.y, 6600000.0, 0.01);

  const Lambert93 notre_dame = ToLambert93(48.853, 2.3499);
  EXPECT_NEAR(notre_dame.x, 652000.0, 1000.0);
  EXPECT_NEAR(notre_dame.y, 6862000.0, 1000.0);

  const Lambert93 rennes = ToLambert93(48.1113, -1.6800);
  EXPECT_NEAR(rennes.x, 351900.0, 2000.0);
  EXPECT_NEAR(rennes.y, 6789300.0, 2000.0);

  // Distances on the plane and on the sphere agree to within the scale error (< 0.1 %).
  const double plane_km = std::hypot(notre_dame.x - rennes.x, notre_dame.y - rennes.y) / 1000.0;
  EXPECT_NEAR(plane_km, DistanceKm(48.853, 2.3499, 48.1113, -1.68), 0.005 * plane_km);
}

}  // namespace
}  // namespace pasip::geo
