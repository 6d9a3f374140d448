/* Typed asserts that cmocka 1.1.5 (Debian 12) lacks: on doubles (its assert_float_equal
 * rounds to float) and on a string's part. Each argument is evaluated once; a failure prints
 * both expressions and their values (doubles to full precision, %.17g), like cmocka's own
 * typed asserts. Include after <cmocka.h>. */
#ifndef CONPAR_TESTS_ASSERTS_H
#define CONPAR_TESTS_ASSERTS_H

#include <math.h>
#include <string.h>

enum check_relation { CHECK_NEAR, CHECK_EXACT, CHECK_DIFFER, CHECK_LE, CHECK_LT };

/* |a - b| <= epsilon */
#define assert_double_near(a, b, epsilon)                                                          \
    check_double((a), CHECK_NEAR, (b), (epsilon), #a, #b, __FILE__, __LINE__)
/* a == b, exactly */
#define assert_double_exact(a, b)                                                                  \
    check_double((a), CHECK_EXACT, (b), 0.0, #a, #b, __FILE__, __LINE__)
/* a != b */
#define assert_double_differ(a, b)                                                                 \
    check_double((a), CHECK_DIFFER, (b), 0.0, #a, #b, __FILE__, __LINE__)
/* a <= b */
#define assert_double_le(a, b) check_double((a), CHECK_LE, (b), 0.0, #a, #b, __FILE__, __LINE__)
/* a < b */
#define assert_double_lt(a, b) check_double((a), CHECK_LT, (b), 0.0, #a, #b, __FILE__, __LINE__)

static inline void check_double(double a, enum check_relation r, double b, double epsilon,
                                const char *a_text, const char *b_text, const char *file, int line)
{
    static const char *const names[] = {"within epsilon of", "==", "!=", "<=", "<"};
    int holds = r == CHECK_NEAR     ? fabs(a - b) <= epsilon
                : r == CHECK_EXACT  ? a == b
                : r == CHECK_DIFFER ? a != b
                : r == CHECK_LE     ? a <= b
                                    : a < b;
    if (holds)
        return;
    if (r == CHECK_NEAR)
        print_error("%s (%.17g) is not within %.17g of %s (%.17g)\n", a_text, a, epsilon, b_text,
                    b);
    else
        print_error("%s (%.17g) is not %s %s (%.17g)\n", a_text, a, names[r], b_text, b);
    _fail(file, line);
}

/* `needle` occurs in the string `haystack` */
#define assert_string_contains(haystack, needle)                                                   \
    check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)

static inline void check_contains(const char *haystack, const char *needle, const char *text,
                                  const char *file, int line)
{
    if (haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL)
        return;
    print_error("%s (\"%s\") does not contain \"%s\"\n", text, haystack ? haystack : "(null)",
                needle ? needle : "(null)");
    _fail(file, line);
}

#endif
