// Race points: places where a concurrent thread changing state is most dangerous. They compile to
// nothing in the addon; the sanitizer stress test (test/native) defines RT_RACE_POINTS and makes
// them yield or sleep at random, so rare interleavings happen every run.
#pragma once

#ifdef RT_RACE_POINTS
namespace rt {
void race_point();  // defined by the test binary
}
#define RT_RACE_POINT() ::rt::race_point()
#else
#define RT_RACE_POINT() ((void)0)
#endif
