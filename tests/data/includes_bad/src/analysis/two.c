/* Fixture of scripts/check-includes.py --self-test: calls no other file. */
#include "one.h"

int analysis_two(int n)
{
    return n * 2;
}
