/* `throttled`: the async loop with at most 5 requests in flight, whatever the server could
 * take (the talk's throttle: a semaphore around aiohttp, or a pool of 5 workers). */
#include "client.h"

const struct cp_io_strategy cp_io_throttled = {
    .name = "throttled",
    .talk_analog = "asyncio.Semaphore(5) around aiohttp",
    .lesson = "a client throttled to C takes ceil(R / C) delays: do not count on the server",
    .needs = CP_IO_ONE_PROCESS | CP_IO_OWN_CAP,
    .default_cap = 5,
    .run = cp_io_run_async,
};
