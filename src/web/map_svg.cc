#include "web/map_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/geo.h"

namespace pasip::web {
namespace {

constexpr double kMargin = 36;             // viewBox units around the points
constexpr double kMinExtentMetres = 2000;  // a single point is shown with 2 km around it
constexpr double kMarkerRadius = 12;
constexpr double kMinSpacing = 2 * kMarkerRadius + 2;

// Colours chosen for contrast (WCAG AA) of the white numbers on the markers and of the dark
// names on the light background; the meaning never rests on colour (numbers and names).
constexpr char kBackground[] = "#f4f7fb";
constexpr char kBorder[] = "#5b6b7f";
constexpr char kMarker[] = "#0b4f8a";
constexpr char kStop[] = "#6a1b9a";
constexpr char kInk[] = "#1d1d1b";

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

bool Located(const MapPoint& p) {
  return std::isfinite(p.latitude) && std::isfinite(p.longitude) && p.latitude >= -90 &&
         p.latitude <= 90 && p.longitude >= -180 && p.longitude <= 180;
}

struct Fit {
  double scale = 1;  // viewBox units per metre
  double min_x = 0;
  double max_y = 0;
  double offset_x = 0;
  double offset_y = 0;
};

// Scale and offsets that fit `projected` into the viewBox, centred, north up.
Fit FitPoints(const std::vector<geo::Lambert93>& projected, double map_width, double map_height) {
  double min_x = projected.front().x, max_x = min_x;
  double min_y = projected.front().y, max_y = min_y;
  for (const geo::Lambert93& p : projected) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y);
    max_y = std::max(max_y, p.y);
  }
  const double width = std::max(max_x - min_x, kMinExtentMetres);
  const double height = std::max(max_y - min_y, kMinExtentMetres);
  Fit fit;
  fit.scale = std::min((map_width - 2 * kMargin) / width, (map_height - 2 * kMargin) / height);
  fit.min_x = min_x;
  fit.max_y = max_y;
  fit.offset_x = (map_width - (max_x - min_x) * fit.scale) / 2;
  fit.offset_y = (map_height - (max_y - min_y) * fit.scale) / 2;
  return fit;
}

// A round length for the scale bar, about a fifth of the map's width: 1, 2 or 5 × 10^n metres.
double ScaleBarMetres(double scale, double map_width) {
  const double target = map_width / 5.0 / scale;
  double unit = std::pow(10.0, std::floor(std::log10(target)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (unit * step >= target * 0.7) return unit * step;
  }
  return unit * 10;
}

std::string ScaleBarLabel(double metres) {
  if (metres < 1000) return std::to_string(std::lround(metres)) + " m";
  const double km = metres / 1000;
  if (km == std::floor(km)) return std::to_string(std::lround(km)) + " km";
  std::string text = Num(km);
  std::replace(text.begin(), text.end(), '.', ',');
  return text + " km";
}

}  // namespace

std::vector<MapPosition> MapLayout(const MapSpec& spec) {
  const double map_width = spec.width;
  const double map_height = spec.height;
  std::vector<const MapPoint*> all;
  for (const MapPoint& p : spec.points) all.push_back(&p);
  if (spec.centre) all.push_back(&*spec.centre);
  std::vector<geo::Lambert93> projected;
  for (const MapPoint* p : all) {
    projected.push_back(Located(*p) ? geo::ToLambert93(p->latitude, p->longitude)
                                    : geo::Lambert93{0, 0});
  }
  std::vector<geo::Lambert93> located;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (Located(*all[i])) located.push_back(projected[i]);
  }
  std::vector<MapPosition> out(all.size());
  if (located.empty()) return out;
  const Fit fit = FitPoints(located, map_width, map_height);
  for (std::size_t i = 0; i < all.size(); ++i) {
    out[i] = {fit.offset_x + (projected[i].x - fit.min_x) * fit.scale,
              fit.offset_y + (fit.max_y - projected[i].y) * fit.scale};
  }
  // Markers that would cover each other (several places at the same address) are spread on
  // a small circle around their spot, in the order given, so each stays visible and usable.
  for (std::size_t i = 0; i < spec.points.size(); ++i) {
    int attempt = 0;
    auto crowded = [&] {
      for (std::size_t j = 0; j < i; ++j) {
        if (std::hypot(out[i].x - out[j].x, out[i].y - out[j].y) < kMinSpacing) return true;
      }
      return false;
    };
    const MapPosition origin = out[i];
    while (crowded() && attempt < 48) {
      ++attempt;
      const double ring = kMinSpacing * (1 + attempt / 8);
      const double angle = (attempt % 8) * (3.14159265358979 / 4);
      out[i] = {origin.x + ring * std::cos(angle), origin.y + ring * std::sin(angle)};
    }
    out[i].x = std::clamp(out[i].x, kMarkerRadius + 2, map_width - kMarkerRadius - 2);
    out[i].y = std::clamp(out[i].y, kMarkerRadius + 2, map_height - kMarkerRadius - 2);
  }
  return out;
}

std::string MapSvg(const MapSpec& spec) {
  bool any = spec.centre && Located(*spec.centre);
  for (const MapPoint& p : spec.points) any = any || Located(p);
  if (!any) return {};
  const double map_width = spec.width;
  const double map_height = spec.height;
  const std::vector<MapPosition> layout = MapLayout(spec);

  // The scale, from the fit (recomputed from two located points' distance in metres).
  std::vector<geo::Lambert93> located;
  for (const MapPoint& p : spec.points) {
    if (Located(p)) located.push_back(geo::ToLambert93(p.latitude, p.longitude));
  }
  if (spec.centre && Located(*spec.centre)) {
    located.push_back(geo::ToLambert93(spec.centre->latitude, spec.centre->longitude));
  }
  const Fit fit = FitPoints(located, map_width, map_height);

  const std::string title_id = spec.id + "-titre";
  const std::string desc_id = spec.id + "-desc";
  bool links = false;
  for (const MapPoint& p : spec.points) links = links || !p.href.empty();
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map-svg\" viewBox=\"0 0 " +
                    std::to_string(spec.width) + " " + std::to_string(spec.height) + "\" role=\"" +
                    (links ? "group" : "img") + "\" aria-labelledby=\"" + Escape(title_id) +
                    "\" aria-describedby=\"" + Escape(desc_id) + "\" id=\"" + Escape(spec.id) +
                    "\">";
  svg += "<title id=\"" + Escape(title_id) + "\">" + Escape(spec.title) + "</title>";
  svg += "<desc id=\"" + Escape(desc_id) + "\">" + Escape(spec.description) + "</desc>";
  svg += "<rect x=\"0.5\" y=\"0.5\" width=\"" + std::to_string(spec.width - 1) + "\" height=\"" +
         std::to_string(spec.height - 1) + "\" fill=\"" + kBackground + "\" stroke=\"" + kBorder +
         "\"/>";

  // Scale bar, bottom left.
  const double metres = ScaleBarMetres(fit.scale, map_width);
  const double bar = metres * fit.scale;
  const double base_y = map_height - 14;
  svg += "<g aria-hidden=\"true\"><path d=\"M12 " + Num(base_y - 6) + "V" + Num(base_y) + "H" +
         Num(12 + bar) + "V" + Num(base_y - 6) + "\" fill=\"none\" stroke=\"" + kInk +
         "\" stroke-width=\"2\"/><text x=\"" + Num(16 + bar) + "\" y=\"" + Num(base_y) +
         "\" font-size=\"13\" fill=\"" + kInk + "\">" + ScaleBarLabel(metres) + "</text></g>";

  // The searched place: a cross and its name.
  if (spec.centre && Located(*spec.centre)) {
    const MapPosition c = layout.back();
    svg += "<g aria-hidden=\"true\"><path d=\"M" + Num(c.x - 18) + " " + Num(c.y) + "H" +
           Num(c.x + 18) + "M" + Num(c.x) + " " + Num(c.y - 18) + "V" + Num(c.y + 18) +
           "\" stroke=\"" + kInk + "\" stroke-width=\"3\"/>";
    if (!spec.centre->name.empty()) {
      svg += "<text x=\"" + Num(c.x + 20) + "\" y=\"" + Num(c.y - 20) +
             "\" font-size=\"14\" font-weight=\"bold\" fill=\"" + kInk +
             "\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\">" +
             Escape(spec.centre->name) + "</text>";
    }
    svg += "</g>";
  }

  // Points in the list's order, which is also the keyboard's order through the links.
  for (std::size_t k = 0; k < spec.points.size(); ++k) {
    const MapPoint& p = spec.points[k];
    if (!Located(p)) continue;
    const MapPosition at = layout[k];
    std::string marker;
    if (p.itinerant) {
      marker = "<rect class=\"map-marker\" x=\"" + Num(at.x - kMarkerRadius) + "\" y=\"" +
               Num(at.y - kMarkerRadius) + "\" width=\"" + Num(2 * kMarkerRadius) + "\" height=\"" +
               Num(2 * kMarkerRadius) + "\" rx=\"3\" fill=\"" + kStop +
               "\" stroke=\"#ffffff\" stroke-width=\"2\"/>";
    } else {
      marker = "<circle class=\"map-marker\" cx=\"" + Num(at.x) + "\" cy=\"" + Num(at.y) +
               "\" r=\"" + Num(kMarkerRadius) + "\" fill=\"" + kMarker +
               "\" stroke=\"#ffffff\" stroke-width=\"2\"/>";
    }
    if (!p.label.empty()) {
      marker += "<text x=\"" + Num(at.x) + "\" y=\"" + Num(at.y + 4.5) +
                "\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" "
                "fill=\"#ffffff\">" +
                Escape(p.label) + "</text>";
    }
    if (spec.show_names && !p.name.empty()) {
      // Beside the marker, on the side where it fits; below it when it fits on neither.
      const double width = 7.6 * static_cast<double>(CodePoints(p.name));
      const double gap = kMarkerRadius + 4;
      double x = at.x + gap;
      double y = at.y + 4.5;
      std::string anchor = "start";
      if (x + width > map_width - 4) {
        if (at.x - gap - width >= 4) {
          x = at.x - gap;
          anchor = "end";
        } else {
          x = std::clamp(at.x, width / 2 + 4, std::max(width / 2 + 4, map_width - width / 2 - 4));
          y = at.y + kMarkerRadius + 18;
          if (y > map_height - 24) y = at.y - kMarkerRadius - 8;
          anchor = "middle";
        }
      }
      marker += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor +
                "\" font-size=\"14\" fill=\"" + kInk +
                "\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\">" +
                Escape(p.name) + "</text>";
    }
    if (p.href.empty()) {
      svg += "<g><title>" + Escape(p.name) + "</title>" + marker + "</g>";
    } else {
      svg += "<a href=\"" + Escape(p.href) + "\" aria-label=\"" + Escape(p.name) + "\"><title>" +
             Escape(p.name) + "</title>" + marker + "</a>";
    }
  }
  svg += "</svg>";
  return svg;
}

}  // namespace pasip::web
