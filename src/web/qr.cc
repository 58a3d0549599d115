#include "web/qr.h"

#include <qrencode.h>

#include <memory>

namespace pasip::web {
namespace {

constexpr int kQuietZone = 4;

std::string EscapeAttribute(std::string_view value) {
  std::string out;
  for (char c : value) {
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

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

Result<std::string> QrCodeSvg(std::string_view text, std::string_view label) {
  const std::string input(text);
  std::unique_ptr<QRcode, QrDeleter> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) return Fail(Internal("Le QR code n'a pas pu être créé."));

  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  const std::string side = std::to_string(size);
  const std::string escaped_label = EscapeAttribute(label);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + side + " " + side +
                    "\" width=\"224\" height=\"224\" role=\"img\" aria-label=\"" + escaped_label +
                    "\" shape-rendering=\"crispEdges\"><title>" + escaped_label +
                    "</title><rect width=\"" + side + "\" height=\"" + side + "\" fill=\"#fff\"/>";
  // One rectangle per horizontal run of dark modules (bit 0 of each byte).
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * width;
    int x = 0;
    while (x < width) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < width && (row[x] & 1) != 0) ++x;
      svg += "<rect x=\"" + std::to_string(start + kQuietZone) + "\" y=\"" +
             std::to_string(y + kQuietZone) + "\" width=\"" + std::to_string(x - start) +
             "\" height=\"1\" fill=\"#000\"/>";
    }
  }
  svg += "</svg>";
  return svg;
}

}  // namespace pasip::web
