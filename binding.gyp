{
  # redirect_table_prebuild=1 (scripts/prebuild.js) makes the binary that ships in the package:
  # it finds liburcu's shared objects beside it (an $ORIGIN run path) before the system's.
  "variables": { "redirect_table_prebuild%": 0 },
  "targets": [
    {
      "target_name": "redirect_table",
      "sources": [
        "addon/core/alloc.cpp",
        "addon/core/arena_trim.cpp",
        "addon/core/array_table.cpp",
        "addon/core/bulk_queues.cpp",
        "addon/core/device.cpp",
        "addon/core/device_kinds.cpp",
        "addon/core/device_move.cpp",
        "addon/core/device_unregister.cpp",
        "addon/core/entry.cpp",
        "addon/core/hash_table.cpp",
        "addon/core/memory_usage.cpp",
        "addon/core/namespace.cpp",
        "addon/core/namespace_registry.cpp",
        "addon/core/purge_worker.cpp",
        "addon/core/rcu.cpp",
        "addon/core/reclaimer.cpp",
        "addon/core/sink.cpp",
        "addon/core/sink_waiters.cpp",
        "addon/core/slots.cpp",
        "addon/core/table_registry.cpp",
        "addon/core/thread_slot.cpp",
        "addon/core/transmit_index.cpp",
        "addon/core/unregister_queue.cpp",
        "addon/napi/addon.cpp",
        "addon/napi/args.cpp",
        "addon/napi/bulk_queues_binding.cpp",
        "addon/napi/completer.cpp",
        "addon/napi/datapath_binding.cpp",
        "addon/napi/device_binding.cpp",
        "addon/napi/device_handle.cpp",
        "addon/napi/device_ring_binding.cpp",
        "addon/napi/env_context.cpp",
        "addon/napi/errors.cpp",
        "addon/napi/js.cpp",
        "addon/napi/namespace_binding.cpp",
        "addon/napi/readable.cpp",
        "addon/napi/slot_view.cpp",
        "addon/napi/submit_queue.cpp",
        "addon/napi/table_entries_binding.cpp",
        "addon/napi/table_handle.cpp",
        "addon/napi/table_registry_binding.cpp"
      ],
      "include_dirs": ["addon/core"],
      "defines": ["NAPI_VERSION=8", "_LGPL_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-std=gnu++17", "-fno-exceptions"],
      "cflags_cc": [
        "-std=c++20",
        "-O3",
        "-fvisibility=hidden",
        "-fvisibility-inlines-hidden",
        "-Wall",
        "-Wextra",
        "<!@(pkg-config --cflags liburcu-memb liburcu-cds)"
      ],
      "ldflags": ["-Wl,-z,nodelete"],
      "libraries": ["<!@(pkg-config --libs liburcu-memb liburcu-cds)"],
      "conditions": [
        ["redirect_table_prebuild==1", {
          "ldflags": ["-Wl,-rpath,'$$ORIGIN'"]
        }]
      ]
    }
  ]
}
