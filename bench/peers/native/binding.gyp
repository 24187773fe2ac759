# The bench-only peers addon (locked tables, plain lookup loop); built by
# scripts/build-bench-addon.js, never shipped. No liburcu.
{
  "targets": [
    {
      "target_name": "bench_peers",
      "sources": [
        "peers.cpp",
        "locked_table.cpp",
        "locked_table_ids.cpp",
        "../../../addon/core/sink.cpp",
        "../../../addon/core/alloc.cpp",
        "../../../addon/core/memory_usage.cpp",
        "../../../addon/core/thread_slot.cpp"
      ],
      "include_dirs": ["../../../addon/core"],
      "defines": ["NAPI_VERSION=8"],
      # The core's sink throws std::bad_alloc when a ring cannot be allocated, as in the addon.
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-std=gnu++17", "-fno-exceptions"],
      "cflags_cc": ["-std=c++20", "-O3", "-Wall", "-Wextra"],
      # Workers load the addon too: never unload it, the tables are process-global.
      "ldflags": ["-Wl,-z,nodelete"]
    }
  ]
}
