/* `async`: one thread, one curl multi handle; conpar keeps at most --concurrency transfers in
 * flight (default: all requests at once, the talk's asyncio.gather with aiohttp). */
#include "client.h"

const struct cp_io_strategy cp_io_async = {
    .name = "async",
    .talk_analog = "asyncio + aiohttp gather",
    .lesson = "one thread, many requests in flight: waits overlap without threads",
    .needs = CP_IO_ONE_PROCESS,
    .default_cap = 0, /* all at once */
    .run = cp_io_run_async,
};
