// Geodesy for search by distance: great-circle distance, a bounding box for a radius (to
// pre-filter rows with an index before computing distances), and the French Lambert-93
// projection (IGN), in which the national address and commune data are often published.
//
// Angles are decimal degrees, latitudes north positive and longitudes east positive, in WGS84
// or RGF93 (the same to within a metre in mainland France). Pure functions: no failure, no state.
#pragma once

namespace pasip::geo {

// Mean Earth radius (IUGG), in kilometres.
inline constexpr double kEarthRadiusKm = 6371.0088;

// Great-circle distance on the sphere (haversine formula), in kilometres. Error under 0.5 %
// against the ellipsoid, which is enough to sort and filter places by distance.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

struct BoundingBox {
  double min_lat, max_lat, min_lon, max_lon;
};

// A box that contains every point within radius_km of (lat, lon), and little more. Latitudes
// are clamped to [-90, 90]. When the circle contains a pole or crosses the antimeridian the
// box spans every longitude, [-180, 180], so that a "lon BETWEEN min_lon AND max_lon" filter
// never misses a point; filter the remaining candidates with DistanceKm. A negative radius
// counts as zero.
BoundingBox BoxAround(double lat, double lon, double radius_km);

// Plane coordinates in the Lambert-93 projection (EPSG:2154), in metres.
struct Lambert93 {
  double x, y;
};

// Projects RGF93 geographic coordinates to Lambert-93: the conic conformal projection of the
// GRS80 ellipsoid (IGN algorithms ALG0001, isometric latitude, and ALG0003), with the official
// constants. Meant for mainland France and Corsica, where it is accurate to the millimetre;
// elsewhere the figures are mathematically right but the projection is not the legal one.
Lambert93 ToLambert93(double lat, double lon);

}  // namespace pasip::geo
