/* Fixture of scripts/check-includes.py --self-test. */
int analysis_one(int n);
int analysis_two(int n);
