/* Fixture of scripts/check-includes.py --self-test: calls back into loop_a.c. */
int wire_loop_b(int n)
{
    return n > 0 ? wire_loop_a(n - 1) : 1;
}
