// The dashboard's static files (pages, scripts, the vendored ECharts), embedded in the binary by
// embed_assets.py at build time.
#ifndef FOLDSTACK_COORDINATOR_HTTP_ASSETS_H_
#define FOLDSTACK_COORDINATOR_HTTP_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace foldstack::http {

struct Asset {
  absl::string_view url;           // e.g. "/static/echarts.min.js"
  absl::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  const char* data;
  size_t size;
};

// The asset served at `url`, or nullptr.
const Asset* FindAsset(absl::string_view url);

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_ASSETS_H_
