"""Attributes an async-profiler profile (collapsed stacks) of the sample under load to where the
limiter spends: its own code on the request thread (waiting for Redis apart), the client's event
loop, the rest of the request, the JIT. Usage: attribute.py <collapsed file> <app us/req>."""
import collections
import sys


def category(frames):
    stack = ";".join(frames)
    if "CompileBroker" in stack or "C2Compiler" in stack or "Compile::" in stack:
        return "JIT compiler threads", None
    if "NioEventLoop" in stack or "SingleThreadIoEventLoop" in stack or "SingleThreadEventExecutor" in stack:
        if "ScriptBatcher.send" in stack:
            return "event loop: sending the next batch", None
        if "CommandHandler.channelRead" in stack:
            return "event loop: reading replies, waking the callers", None
        return "event loop: select and the rest", None
    filters = [i for i, f in enumerate(frames) if f.endswith("RateLimitFilter.doFilterInternal")]
    if filters:
        below = frames[filters[0] + 1:]
        if any("FilterChain" in f and "doFilter" in f for f in below):
            return "request: below the rate limit filter (the handler)", None
        if any("futex" in f or f.endswith("Unsafe.park") or "Unsafe_Park" in f for f in below):
            return "limiter, request thread: parking and waking", None
        return "limiter, request thread: its own code", (below[0].split("/")[-1] if below else "self")
    if "http-nio" in stack or "Http11Processor" in stack or "NioEndpoint" in stack:
        return "request: Tomcat and the filters before the limiter", None
    return "other (GC, VM, timers)", None


def main():
    totals = collections.Counter()
    own = collections.Counter()
    samples = 0
    for line in open(sys.argv[1]):
        stack, _, count = line.rstrip().rpartition(" ")
        count = int(count)
        samples += count
        name, detail = category(stack.split(";"))
        totals[name] += count
        if detail:
            own[detail] += count
    per_request = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    print(f"{samples} samples; shares of the application's CPU" + (f" (~{per_request:.0f} us/req)" if per_request else ""))
    for name, count in totals.most_common():
        share = count / samples
        print(f"  {100 * share:5.1f}%  {share * per_request:6.1f} us/req  {name}")
    print("  the limiter's own code on the request thread, by what the filter called:")
    for name, count in own.most_common(8):
        share = count / samples
        print(f"      {100 * share:5.1f}%  {share * per_request:6.1f} us/req  {name}")


main()
