/* Fixture of scripts/check-includes.py --self-test: loop_a.c and loop_b.c
 * call each other (a circle), and this file includes a higher module. */
#include "../analysis/one.h"

int wire_loop_a(int n)
{
    return n > 0 ? wire_loop_b(n - 1) : 0;
}
