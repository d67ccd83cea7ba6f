{
  "targets": [
    {
      "target_name": "watchdog_ioctl",
      "sources": ["watchdog_ioctl.c"],
      "cflags": ["-Wall", "-Wextra", "-Werror"]
    }
  ]
}
