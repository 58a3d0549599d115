// A small map drawn by the server as inline SVG, with no tile server and no script: points
// (WGS 84) projected in Lambert-93 (core/geo.h), fitted into a fixed viewBox, each point a
// numbered marker that is a link with an accessible name, plus the searched place and a
// scale bar. The SVG has a <title> and a <desc> and uses presentation attributes only (the
// Content-Security-Policy forbids inline styles). Pure function, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pasip::web {

struct MapPoint {
  double latitude = 0;
  double longitude = 0;
  std::string label;       // drawn inside the marker ("1"); may be empty
  std::string name;        // accessible name of the marker; drawn beside it when show_names
  std::string href;        // the marker links there; empty: not a link
  bool itinerant = false;  // a stop of a mobile point: drawn as a square
};

struct MapSpec {
  std::string id;  // unique in the page; the title and desc get "<id>-titre", "<id>-desc"
  std::string title;
  std::string description;
  std::vector<MapPoint> points;
  std::optional<MapPoint> centre;  // the searched place: a cross with its name
  bool show_names = false;
  // The viewBox, in CSS pixels at full size: a smaller box gives larger text once the map
  // is scaled down to a phone's width.
  int width = 480;
  int height = 340;
};

// The <svg> element; empty when there is nothing to draw (no point and no centre).
std::string MapSvg(const MapSpec& spec);

// The viewBox position of each point of `spec.points` (then of the centre, if any), after
// fitting and after spreading markers that would cover each other. For tests.
struct MapPosition {
  double x = 0;
  double y = 0;
};
std::vector<MapPosition> MapLayout(const MapSpec& spec);

}  // namespace pasip::web
