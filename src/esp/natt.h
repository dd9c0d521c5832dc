/* UDP encapsulation helpers (RFC 3948): what a datagram on UDP 4500 holds,
 * and the NAT-keepalive. The sockets are src/net's.
 *
 *   payload 0xFF (1 octet)           NAT-keepalive (RFC 3948 2.3): ignore
 *   00 00 00 00 | IKE message        non-ESP marker (RFC 3948 2.2): IKE
 *   SPI (non-zero) | seq | ...       ESP (RFC 3948 2.1) */
#ifndef PETREL_ESP_NATT_H
#define PETREL_ESP_NATT_H

#include <stddef.h>
#include <stdint.h>

#define ESP_NATT_KEEPALIVE       0xffu
#define ESP_NATT_KEEPALIVE_LEN   1u
#define ESP_NATT_MARKER_LEN      4u
#define ESP_NATT_PORT            4500u

enum esp_natt_kind {
	ESP_NATT_BAD = 0,        /* none of these: drop */
	ESP_NATT_KEEPALIVE_PKT,  /* drop silently */
	ESP_NATT_IKE,            /* the IKE message starts after the 4-octet marker */
	ESP_NATT_ESP,            /* an ESP packet from its SPI on */
};

/* Classify a UDP/4500 payload. An IKE message must hold at least its 28-octet
 * header after the marker; an ESP packet at least SPI | seq. */
enum esp_natt_kind esp_natt_classify(const uint8_t *p, size_t len);

/* Write the keepalive payload into buf; its length (1), or 0 when cap is 0. */
size_t esp_natt_keepalive(uint8_t *buf, size_t cap);

#endif
