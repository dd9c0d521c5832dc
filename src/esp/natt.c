/* RFC 3948 demultiplexing on UDP 4500 (see natt.h). */
#include "esp/natt.h"

#include "esp/esp.h"

#define IKE_HDR_LEN 28u  /* RFC 7296 3.1 */

enum esp_natt_kind esp_natt_classify(const uint8_t *p, size_t len)
{
	if (len == ESP_NATT_KEEPALIVE_LEN)
		return p[0] == ESP_NATT_KEEPALIVE ? ESP_NATT_KEEPALIVE_PKT : ESP_NATT_BAD;
	if (len < ESP_NATT_MARKER_LEN)
		return ESP_NATT_BAD;
	if ((p[0] | p[1] | p[2] | p[3]) == 0)
		return len - ESP_NATT_MARKER_LEN >= IKE_HDR_LEN ? ESP_NATT_IKE : ESP_NATT_BAD;
	/* RFC 4303 2.1: SPIs 1-255 are reserved and never an SA's. */
	uint32_t spi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (spi <= ESP_SPI_RESERVED_MAX || len < ESP_HDR_LEN)
		return ESP_NATT_BAD;
	return ESP_NATT_ESP;
}

size_t esp_natt_keepalive(uint8_t *buf, size_t cap)
{
	if (!cap)
		return 0;
	buf[0] = ESP_NATT_KEEPALIVE;
	return ESP_NATT_KEEPALIVE_LEN;
}
