/* Fixture of scripts/check-includes.py --self-test: calls two.c (one way). */
#include "one.h"

int analysis_one(int n)
{
    return analysis_two(n) + 1;
}
