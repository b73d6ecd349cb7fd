#!/usr/bin/env python3
"""Writes a C++ source that embeds files in the coordinator binary (the dashboard's pages and
scripts), so a node without network serves them from memory.

usage: embed_assets.py OUT.cc URL=FILE [URL=FILE ...]
Each URL (e.g. /static/echarts.min.js) maps to FILE's bytes; the content type follows the extension.
"""
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    # Not text/javascript: Debian's libcpp-httplib compresses text/* on the fly, with brotli at
    # its slowest setting for browsers (5.6 s for echarts.min.js); it leaves this type alone.
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
}


def content_type(url):
    for ext, kind in TYPES.items():
        if url.endswith(ext):
            return kind
    sys.exit("embed_assets.py: %s: no content type for this extension (expected one of %s)"
             % (url, ", ".join(TYPES)))


def main(out, pairs):
    lines = ['#include "coordinator/http/assets.h"', "", "namespace foldstack::http {", "namespace {", ""]
    table = []
    for i, pair in enumerate(pairs):
        url, _, path = pair.partition("=")
        with open(path, "rb") as f:
            data = f.read()
        lines.append("const unsigned char kData%d[] = {" % i)
        for start in range(0, len(data), 32):
            lines.append(",".join(str(b) for b in data[start:start + 32]) + ",")
        lines.append("0};")
        table.append('  {"%s", "%s", reinterpret_cast<const char*>(kData%d), %d},'
                     % (url, content_type(url), i, len(data)))
    lines += ["", "const Asset kAssets[] = {"] + table + ["};", "", "}  // namespace", ""]
    lines += ["const Asset* FindAsset(absl::string_view url) {",
              "  for (const Asset& asset : kAssets) {",
              "    if (asset.url == url) return &asset;",
              "  }",
              "  return nullptr;",
              "}", "", "}  // namespace foldstack::http", ""]
    with open(out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
