/* petreld's path code (src/daemon/conn_path.c): what counts as a sleep. */
#include <stdint.h>

#include "daemon/conn_int.h"
#include "test.h"

int main(void)
{
	/* both clocks moved alike: awake */
	CHECK_EQ(path_slept_ms(1000000, 500, 1002000, 2500), 0);
	/* the wall clock ran 4.9 s ahead (NTP step, a busy host): not a sleep */
	CHECK_EQ(path_slept_ms(1000000, 500, 1006900, 2500), 0);
	/* 2 s awake plus an hour the monotonic clock did not see */
	CHECK_EQ(path_slept_ms(1000000, 500, 1000000 + 2000 + 3600000, 2500), 3600000);
	/* the wall clock set back: never a sleep */
	CHECK_EQ(path_slept_ms(1000000, 500, 900000, 2500), 0);
	return test_done();
}
