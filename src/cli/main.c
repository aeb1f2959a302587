#include <stdio.h>
int main(void) { puts("tlsprobe: not yet"); return 0; }
