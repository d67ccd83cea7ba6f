// Watchdog ioctls for ha-watchdog-mux (Node-API, C). Node has no ioctl; the mux needs three:
// WDIOC_SETTIMEOUT, WDIOC_GETTIMEOUT and WDIOC_KEEPALIVE on the fd it holds open.
// Each function takes the fd (and the timeout in seconds) and returns the value the driver reports;
// a failing ioctl throws an Error whose `code` is the errno name (ENOTTY, EINVAL, EOPNOTSUPP, ...).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/watchdog.h>
#include <node_api.h>

static const char *errno_name(int err) {
  switch (err) {
    case ENOTTY: return "ENOTTY";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EFAULT: return "EFAULT";
    case EPERM: return "EPERM";
    case EIO: return "EIO";
    default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s (errno %d)", what, strerror(err), err);
  napi_throw_error(env, errno_name(err), message);
  return NULL;
}

static int int_arg(napi_env env, napi_callback_info info, size_t want, int *out) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "Expected fd (and timeout seconds) as integers");
    return 0;
  }
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "Expected integer arguments");
      return 0;
    }
  }
  return 1;
}

static napi_value int_result(napi_env env, int value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static napi_value set_timeout(napi_env env, napi_callback_info info) {
  int args[2];
  if (!int_arg(env, info, 2, args)) return NULL;
  int seconds = args[1];
  if (ioctl(args[0], WDIOC_SETTIMEOUT, &seconds) == -1) return throw_errno(env, "WDIOC_SETTIMEOUT", errno);
  return int_result(env, seconds);
}

static napi_value get_timeout(napi_env env, napi_callback_info info) {
  int args[1];
  if (!int_arg(env, info, 1, args)) return NULL;
  int seconds = 0;
  if (ioctl(args[0], WDIOC_GETTIMEOUT, &seconds) == -1) return throw_errno(env, "WDIOC_GETTIMEOUT", errno);
  return int_result(env, seconds);
}

static napi_value keepalive(napi_env env, napi_callback_info info) {
  int args[1];
  if (!int_arg(env, info, 1, args)) return NULL;
  int dummy = 0;
  if (ioctl(args[0], WDIOC_KEEPALIVE, &dummy) == -1) return throw_errno(env, "WDIOC_KEEPALIVE", errno);
  return int_result(env, 0);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
    {"setTimeout", NULL, set_timeout, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getTimeout", NULL, get_timeout, NULL, NULL, NULL, napi_enumerable, NULL},
    {"keepalive", NULL, keepalive, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
