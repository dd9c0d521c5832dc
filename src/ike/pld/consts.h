/* IKEv2 wire constants: one X-macro table per IANA registry, yielding both
 * the enum and the name used in logs (STYLE.md "Bytes from a peer").
 *
 * Each row is X(symbol, value, "log name", "reference"); the reference names
 * the RFC section that defines the value. Values the drafts leave TBD are not
 * here: they live in codepoints.h, where configuration can change them. */
#ifndef PETREL_IKE_PLD_CONSTS_H
#define PETREL_IKE_PLD_CONSTS_H

/* Exchange types (RFC 7296 3.1; IANA "IKEv2 Exchange Types"). */
#define IKE_EXCH_TABLE(X)                                                   \
	X(IKE_EXCH_SA_INIT,         34, "IKE_SA_INIT",        "RFC 7296 1.2") \
	X(IKE_EXCH_AUTH,            35, "IKE_AUTH",           "RFC 7296 1.2") \
	X(IKE_EXCH_CREATE_CHILD_SA, 36, "CREATE_CHILD_SA",    "RFC 7296 1.3") \
	X(IKE_EXCH_INFORMATIONAL,   37, "INFORMATIONAL",      "RFC 7296 1.4") \
	X(IKE_EXCH_SESSION_RESUME,  38, "IKE_SESSION_RESUME", "RFC 5723") \
	X(IKE_EXCH_INTERMEDIATE,    43, "IKE_INTERMEDIATE",   "RFC 9242 3")   \
	X(IKE_EXCH_FOLLOWUP_KE,     44, "IKE_FOLLOWUP_KE",    "RFC 9370")

/* Payload types (RFC 7296 3.2). Names alone do not make a type supported:
 * see ike_pld_supported() in pld.h. */
#define IKE_PLD_TABLE(X)                                                    \
	X(IKE_PLD_NONE,     0, "NONE",    "RFC 7296 3.2")                     \
	X(IKE_PLD_SA,      33, "SA",      "RFC 7296 3.3")                     \
	X(IKE_PLD_KE,      34, "KE",      "RFC 7296 3.4")                     \
	X(IKE_PLD_IDI,     35, "IDi",     "RFC 7296 3.5")                     \
	X(IKE_PLD_IDR,     36, "IDr",     "RFC 7296 3.5")                     \
	X(IKE_PLD_CERT,    37, "CERT",    "RFC 7296 3.6")                     \
	X(IKE_PLD_CERTREQ, 38, "CERTREQ", "RFC 7296 3.7")                     \
	X(IKE_PLD_AUTH,    39, "AUTH",    "RFC 7296 3.8")                     \
	X(IKE_PLD_NONCE,   40, "Nonce",   "RFC 7296 3.9")                     \
	X(IKE_PLD_NOTIFY,  41, "N",       "RFC 7296 3.10")                    \
	X(IKE_PLD_DELETE,  42, "D",       "RFC 7296 3.11")                    \
	X(IKE_PLD_VID,     43, "V",       "RFC 7296 3.12")                    \
	X(IKE_PLD_TSI,     44, "TSi",     "RFC 7296 3.13")                    \
	X(IKE_PLD_TSR,     45, "TSr",     "RFC 7296 3.13")                    \
	X(IKE_PLD_SK,      46, "SK",      "RFC 7296 3.14")                    \
	X(IKE_PLD_CP,      47, "CP",      "RFC 7296 3.15")                    \
	X(IKE_PLD_EAP,     48, "EAP",     "RFC 7296 3.16")                    \
	X(IKE_PLD_GSPM,    49, "GSPM",    "RFC 6467")                       \
	X(IKE_PLD_IDG,     50, "IDg",     "draft-ietf-ipsecme-g-ikev2")                         \
	X(IKE_PLD_GSA,     51, "GSA",     "draft-ietf-ipsecme-g-ikev2")                         \
	X(IKE_PLD_KD,      52, "KD",      "draft-ietf-ipsecme-g-ikev2")                         \
	X(IKE_PLD_SKF,     53, "SKF",     "RFC 7383 2.5")                     \
	X(IKE_PLD_PS,      54, "PS",      "RFC 8019")

/* Transform types (RFC 7296 3.3.2; ADDKE1..7 RFC 9370 2.2.1). */
#define IKE_XFORM_TABLE(X)                                                  \
	X(IKE_XF_ENCR,    1, "ENCR",   "RFC 7296 3.3.2")                      \
	X(IKE_XF_PRF,     2, "PRF",    "RFC 7296 3.3.2")                      \
	X(IKE_XF_INTEG,   3, "INTEG",  "RFC 7296 3.3.2")                      \
	X(IKE_XF_KE,      4, "KE",     "RFC 7296 3.3.2, RFC 9370 2.2.1")      \
	X(IKE_XF_ESN,     5, "ESN",    "RFC 7296 3.3.2")                      \
	X(IKE_XF_ADDKE1,  6, "ADDKE1", "RFC 9370")                      \
	X(IKE_XF_ADDKE2,  7, "ADDKE2", "RFC 9370")                      \
	X(IKE_XF_ADDKE3,  8, "ADDKE3", "RFC 9370")                      \
	X(IKE_XF_ADDKE4,  9, "ADDKE4", "RFC 9370")                      \
	X(IKE_XF_ADDKE5, 10, "ADDKE5", "RFC 9370")                      \
	X(IKE_XF_ADDKE6, 11, "ADDKE6", "RFC 9370")                      \
	X(IKE_XF_ADDKE7, 12, "ADDKE7", "RFC 9370")

/* Transform type 1 IDs (RFC 7296 3.3.2). */
#define IKE_ENCR_TABLE(X)                                                              \
	X(IKE_ENCR_3DES,               3, "3DES",               "RFC 7296 3.3.2")        \
	X(IKE_ENCR_NULL,              11, "NULL",               "RFC 7296 3.3.2")        \
	X(IKE_ENCR_AES_CBC,           12, "AES_CBC",            "RFC 3602")              \
	X(IKE_ENCR_AES_CTR,           13, "AES_CTR",            "RFC 5930")              \
	X(IKE_ENCR_AES_CCM_8,         14, "AES_CCM_8",          "RFC 5282")              \
	X(IKE_ENCR_AES_CCM_12,        15, "AES_CCM_12",         "RFC 5282")              \
	X(IKE_ENCR_AES_CCM_16,        16, "AES_CCM_16",         "RFC 5282")              \
	X(IKE_ENCR_AES_GCM_8,         18, "AES_GCM_8",          "RFC 5282")              \
	X(IKE_ENCR_AES_GCM_12,        19, "AES_GCM_12",         "RFC 5282")              \
	X(IKE_ENCR_AES_GCM_16,        20, "AES_GCM_16",         "RFC 5282")              \
	X(IKE_ENCR_NULL_AUTH_AES_GMAC,21, "NULL_AUTH_AES_GMAC", "RFC 4543")              \
	X(IKE_ENCR_CAMELLIA_CBC,      23, "CAMELLIA_CBC",       "RFC 5529")              \
	X(IKE_ENCR_CHACHA20_POLY1305, 28, "CHACHA20_POLY1305",  "RFC 7634")

/* Transform type 2 IDs (RFC 7296 3.3.2, RFC 4868). */
#define IKE_PRF_TABLE(X)                                                        \
	X(IKE_PRF_HMAC_MD5,      1, "HMAC_MD5",      "RFC 7296 3.3.2")           \
	X(IKE_PRF_HMAC_SHA1,     2, "HMAC_SHA1",     "RFC 7296 3.3.2")           \
	X(IKE_PRF_AES128_XCBC,   4, "AES128_XCBC",   "RFC 4434")                 \
	X(IKE_PRF_HMAC_SHA2_256, 5, "HMAC_SHA2_256", "RFC 4868")                 \
	X(IKE_PRF_HMAC_SHA2_384, 6, "HMAC_SHA2_384", "RFC 4868")                 \
	X(IKE_PRF_HMAC_SHA2_512, 7, "HMAC_SHA2_512", "RFC 4868")                 \
	X(IKE_PRF_AES128_CMAC,   8, "AES128_CMAC",   "RFC 4615")

/* Transform type 3 IDs (RFC 7296 3.3.2, RFC 4868). */
#define IKE_INTEG_TABLE(X)                                                               \
	X(IKE_INTEG_NONE,               0, "NONE",               "RFC 7296 3.3.2")          \
	X(IKE_INTEG_HMAC_MD5_96,        1, "HMAC_MD5_96",        "RFC 2403")                \
	X(IKE_INTEG_HMAC_SHA1_96,       2, "HMAC_SHA1_96",       "RFC 2404")                \
	X(IKE_INTEG_AES_XCBC_96,        5, "AES_XCBC_96",        "RFC 3566")                \
	X(IKE_INTEG_AES_CMAC_96,        8, "AES_CMAC_96",        "RFC 4494")                \
	X(IKE_INTEG_AES_128_GMAC,       9, "AES_128_GMAC",       "RFC 4543")                \
	X(IKE_INTEG_AES_192_GMAC,      10, "AES_192_GMAC",       "RFC 4543")                \
	X(IKE_INTEG_AES_256_GMAC,      11, "AES_256_GMAC",       "RFC 4543")                \
	X(IKE_INTEG_HMAC_SHA2_256_128, 12, "HMAC_SHA2_256_128",  "RFC 4868")                \
	X(IKE_INTEG_HMAC_SHA2_384_192, 13, "HMAC_SHA2_384_192",  "RFC 4868")                \
	X(IKE_INTEG_HMAC_SHA2_512_256, 14, "HMAC_SHA2_512_256",  "RFC 4868")

/* Transform type 4 (and ADDKE1..7) IDs: key exchange methods
 * (RFC 7296 3.3.2, RFC 9370 2.2.1, draft-ietf-ipsecme-ikev2-mlkem). */
#define IKE_KE_TABLE(X)                                                          \
	X(IKE_KE_NONE,          0, "NONE",         "RFC 9370")              \
	X(IKE_KE_MODP_1024,     2, "MODP_1024",    "RFC 7296 B.2")                \
	X(IKE_KE_MODP_1536,     5, "MODP_1536",    "RFC 3526 2")                  \
	X(IKE_KE_MODP_2048,    14, "MODP_2048",    "RFC 3526 3")                  \
	X(IKE_KE_MODP_3072,    15, "MODP_3072",    "RFC 3526 4")                  \
	X(IKE_KE_MODP_4096,    16, "MODP_4096",    "RFC 3526 5")                  \
	X(IKE_KE_MODP_6144,    17, "MODP_6144",    "RFC 3526 6")                  \
	X(IKE_KE_MODP_8192,    18, "MODP_8192",    "RFC 3526 7")                  \
	X(IKE_KE_ECP_256,      19, "ECP_256",      "RFC 5903 3.1")                \
	X(IKE_KE_ECP_384,      20, "ECP_384",      "RFC 5903 3.2")                \
	X(IKE_KE_ECP_521,      21, "ECP_521",      "RFC 5903 3.3")                \
	X(IKE_KE_CURVE25519,   31, "CURVE25519",   "RFC 8031")                  \
	X(IKE_KE_CURVE448,     32, "CURVE448",     "RFC 8031")                  \
	X(IKE_KE_MLKEM512,     35, "ML_KEM_512",   "draft-ietf-ipsecme-ikev2-mlkem 5") \
	X(IKE_KE_MLKEM768,     36, "ML_KEM_768",   "draft-ietf-ipsecme-ikev2-mlkem 5") \
	X(IKE_KE_MLKEM1024,    37, "ML_KEM_1024",  "draft-ietf-ipsecme-ikev2-mlkem 5")

/* Transform type 5 IDs (RFC 7296 3.3.2). */
#define IKE_ESN_TABLE(X)                                                   \
	X(IKE_ESN_NO,  0, "NO_ESN", "RFC 7296 3.3.2")                          \
	X(IKE_ESN_YES, 1, "ESN",    "RFC 7296 3.3.2")

/* Transform attribute types (RFC 7296 3.3.5). */
#define IKE_ATTR_TABLE(X)                                                  \
	X(IKE_ATTR_KEY_LENGTH, 14, "KEY_LENGTH", "RFC 7296 3.3.5")

/* Security protocol IDs (RFC 7296 3.3.1). */
#define IKE_PROTO_TABLE(X)                                                 \
	X(IKE_PROTO_NONE, 0, "NONE", "RFC 7296 3.10")                          \
	X(IKE_PROTO_IKE,  1, "IKE",  "RFC 7296 3.3.1")                         \
	X(IKE_PROTO_AH,   2, "AH",   "RFC 7296 3.3.1")                         \
	X(IKE_PROTO_ESP,  3, "ESP",  "RFC 7296 3.3.1")

/* Notify message types (RFC 7296 3.10.1); 0..16383 are errors, 16384.. status. */
#define IKE_NOTIFY_TABLE(X)                                                                                  \
	X(IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,        1, "UNSUPPORTED_CRITICAL_PAYLOAD",     "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_IKE_SPI,                     4, "INVALID_IKE_SPI",                  "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_MAJOR_VERSION,               5, "INVALID_MAJOR_VERSION",            "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_SYNTAX,                      7, "INVALID_SYNTAX",                   "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_MESSAGE_ID,                  9, "INVALID_MESSAGE_ID",               "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_SPI,                        11, "INVALID_SPI",                      "RFC 7296 3.10.1") \
	X(IKE_N_NO_PROPOSAL_CHOSEN,                 14, "NO_PROPOSAL_CHOSEN",               "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_KE_PAYLOAD,                 17, "INVALID_KE_PAYLOAD",               "RFC 7296 3.10.1") \
	X(IKE_N_AUTHENTICATION_FAILED,              24, "AUTHENTICATION_FAILED",            "RFC 7296 3.10.1") \
	X(IKE_N_SINGLE_PAIR_REQUIRED,               34, "SINGLE_PAIR_REQUIRED",             "RFC 7296 3.10.1") \
	X(IKE_N_NO_ADDITIONAL_SAS,                  35, "NO_ADDITIONAL_SAS",                "RFC 7296 3.10.1") \
	X(IKE_N_INTERNAL_ADDRESS_FAILURE,           36, "INTERNAL_ADDRESS_FAILURE",         "RFC 7296 3.10.1") \
	X(IKE_N_FAILED_CP_REQUIRED,                 37, "FAILED_CP_REQUIRED",               "RFC 7296 3.10.1") \
	X(IKE_N_TS_UNACCEPTABLE,                    38, "TS_UNACCEPTABLE",                  "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_SELECTORS,                  39, "INVALID_SELECTORS",                "RFC 7296 3.10.1") \
	X(IKE_N_UNACCEPTABLE_ADDRESSES,             40, "UNACCEPTABLE_ADDRESSES",           "RFC 4555 4")  \
	X(IKE_N_UNEXPECTED_NAT_DETECTED,            41, "UNEXPECTED_NAT_DETECTED",          "RFC 4555 4")  \
	X(IKE_N_USE_ASSIGNED_HOA,                   42, "USE_ASSIGNED_HoA",                 "RFC 5026")    \
	X(IKE_N_TEMPORARY_FAILURE,                  43, "TEMPORARY_FAILURE",                "RFC 7296 3.10.1") \
	X(IKE_N_CHILD_SA_NOT_FOUND,                 44, "CHILD_SA_NOT_FOUND",               "RFC 7296 3.10.1") \
	X(IKE_N_INVALID_GROUP_ID,                   45, "INVALID_GROUP_ID",                 "draft-ietf-ipsecme-g-ikev2")        \
	X(IKE_N_AUTHORIZATION_FAILED,               46, "AUTHORIZATION_FAILED",             "draft-ietf-ipsecme-g-ikev2")        \
	X(IKE_N_STATE_NOT_FOUND,                    47, "STATE_NOT_FOUND",                  "RFC 9370")  \
	X(IKE_N_INITIAL_CONTACT,                 16384, "INITIAL_CONTACT",                  "RFC 7296 3.10.1") \
	X(IKE_N_SET_WINDOW_SIZE,                 16385, "SET_WINDOW_SIZE",                  "RFC 7296 3.10.1") \
	X(IKE_N_ADDITIONAL_TS_POSSIBLE,          16386, "ADDITIONAL_TS_POSSIBLE",           "RFC 7296 3.10.1") \
	X(IKE_N_IPCOMP_SUPPORTED,                16387, "IPCOMP_SUPPORTED",                 "RFC 7296 3.10.1") \
	X(IKE_N_NAT_DETECTION_SOURCE_IP,         16388, "NAT_DETECTION_SOURCE_IP",          "RFC 7296 3.10.1") \
	X(IKE_N_NAT_DETECTION_DESTINATION_IP,    16389, "NAT_DETECTION_DESTINATION_IP",     "RFC 7296 3.10.1") \
	X(IKE_N_COOKIE,                          16390, "COOKIE",                           "RFC 7296 3.10.1") \
	X(IKE_N_USE_TRANSPORT_MODE,              16391, "USE_TRANSPORT_MODE",               "RFC 7296 3.10.1") \
	X(IKE_N_HTTP_CERT_LOOKUP_SUPPORTED,      16392, "HTTP_CERT_LOOKUP_SUPPORTED",       "RFC 7296 3.10.1") \
	X(IKE_N_REKEY_SA,                        16393, "REKEY_SA",                         "RFC 7296 3.10.1") \
	X(IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED,   16394, "ESP_TFC_PADDING_NOT_SUPPORTED",    "RFC 7296 3.10.1") \
	X(IKE_N_NON_FIRST_FRAGMENTS_ALSO,        16395, "NON_FIRST_FRAGMENTS_ALSO",         "RFC 7296 3.10.1") \
	X(IKE_N_MOBIKE_SUPPORTED,                16396, "MOBIKE_SUPPORTED",                 "RFC 4555 4")  \
	X(IKE_N_ADDITIONAL_IP4_ADDRESS,          16397, "ADDITIONAL_IP4_ADDRESS",           "RFC 4555 4")  \
	X(IKE_N_ADDITIONAL_IP6_ADDRESS,          16398, "ADDITIONAL_IP6_ADDRESS",           "RFC 4555 4")  \
	X(IKE_N_NO_ADDITIONAL_ADDRESSES,         16399, "NO_ADDITIONAL_ADDRESSES",          "RFC 4555 4")  \
	X(IKE_N_UPDATE_SA_ADDRESSES,             16400, "UPDATE_SA_ADDRESSES",              "RFC 4555 4")  \
	X(IKE_N_COOKIE2,                         16401, "COOKIE2",                          "RFC 4555 4")  \
	X(IKE_N_NO_NATS_ALLOWED,                 16402, "NO_NATS_ALLOWED",                  "RFC 4555 4")  \
	X(IKE_N_AUTH_LIFETIME,                   16403, "AUTH_LIFETIME",                    "RFC 4478")      \
	X(IKE_N_MULTIPLE_AUTH_SUPPORTED,         16404, "MULTIPLE_AUTH_SUPPORTED",          "RFC 4739")    \
	X(IKE_N_ANOTHER_AUTH_FOLLOWS,            16405, "ANOTHER_AUTH_FOLLOWS",             "RFC 4739")    \
	X(IKE_N_REDIRECT_SUPPORTED,              16406, "REDIRECT_SUPPORTED",               "RFC 5685")    \
	X(IKE_N_REDIRECT,                        16407, "REDIRECT",                         "RFC 5685")    \
	X(IKE_N_REDIRECTED_FROM,                 16408, "REDIRECTED_FROM",                  "RFC 5685")    \
	X(IKE_N_TICKET_LT_OPAQUE,                16409, "TICKET_LT_OPAQUE",                 "RFC 5723")    \
	X(IKE_N_TICKET_REQUEST,                  16410, "TICKET_REQUEST",                   "RFC 5723")    \
	X(IKE_N_TICKET_ACK,                      16411, "TICKET_ACK",                       "RFC 5723")    \
	X(IKE_N_TICKET_NACK,                     16412, "TICKET_NACK",                      "RFC 5723")    \
	X(IKE_N_TICKET_OPAQUE,                   16413, "TICKET_OPAQUE",                    "RFC 5723")    \
	X(IKE_N_LINK_ID,                         16414, "LINK_ID",                          "RFC 5739")        \
	X(IKE_N_USE_WESP_MODE,                   16415, "USE_WESP_MODE",                    "RFC 5840")        \
	X(IKE_N_ROHC_SUPPORTED,                  16416, "ROHC_SUPPORTED",                   "RFC 5857")        \
	X(IKE_N_EAP_ONLY_AUTHENTICATION,         16417, "EAP_ONLY_AUTHENTICATION",          "RFC 5998")      \
	X(IKE_N_CHILDLESS_IKEV2_SUPPORTED,       16418, "CHILDLESS_IKEV2_SUPPORTED",        "RFC 6023")      \
	X(IKE_N_QUICK_CRASH_DETECTION,           16419, "QUICK_CRASH_DETECTION",            "RFC 6290")        \
	X(IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, 16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED",  "RFC 6311")        \
	X(IKE_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED, 16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED", "RFC 6311") \
	X(IKE_N_IKEV2_MESSAGE_ID_SYNC,           16422, "IKEV2_MESSAGE_ID_SYNC",            "RFC 6311")        \
	X(IKE_N_IPSEC_REPLAY_COUNTER_SYNC,       16423, "IPSEC_REPLAY_COUNTER_SYNC",        "RFC 6311")        \
	X(IKE_N_SECURE_PASSWORD_METHODS,         16424, "SECURE_PASSWORD_METHODS",          "RFC 6467")        \
	X(IKE_N_PSK_PERSIST,                     16425, "PSK_PERSIST",                      "RFC 6631")        \
	X(IKE_N_PSK_CONFIRM,                     16426, "PSK_CONFIRM",                      "RFC 6631")        \
	X(IKE_N_ERX_SUPPORTED,                   16427, "ERX_SUPPORTED",                    "RFC 6867")        \
	X(IKE_N_IFOM_CAPABILITY,                 16428, "IFOM_CAPABILITY",                  "3GPP TS 24.303")  \
	X(IKE_N_SENDER_REQUEST_ID,               16429, "SENDER_REQUEST_ID",                "draft-ietf-ipsecme-g-ikev2")        \
	X(IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,   16430, "IKEV2_FRAGMENTATION_SUPPORTED",    "RFC 7383 2.3")    \
	X(IKE_N_SIGNATURE_HASH_ALGORITHMS,       16431, "SIGNATURE_HASH_ALGORITHMS",        "RFC 7427 4")      \
	X(IKE_N_CLONE_IKE_SA_SUPPORTED,          16432, "CLONE_IKE_SA_SUPPORTED",           "RFC 7791")        \
	X(IKE_N_CLONE_IKE_SA,                    16433, "CLONE_IKE_SA",                     "RFC 7791")        \
	X(IKE_N_PUZZLE,                          16434, "PUZZLE",                           "RFC 8019")        \
	X(IKE_N_USE_PPK,                         16435, "USE_PPK",                          "RFC 8784 3")      \
	X(IKE_N_PPK_IDENTITY,                    16436, "PPK_IDENTITY",                     "RFC 8784 3")      \
	X(IKE_N_NO_PPK_AUTH,                     16437, "NO_PPK_AUTH",                      "RFC 8784 3")      \
	X(IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED, 16438, "INTERMEDIATE_EXCHANGE_SUPPORTED",  "RFC 9242 3.1")    \
	X(IKE_N_IP4_ALLOWED,                     16439, "IP4_ALLOWED",                      "RFC 8983")        \
	X(IKE_N_IP6_ALLOWED,                     16440, "IP6_ALLOWED",                      "RFC 8983")        \
	X(IKE_N_ADDITIONAL_KEY_EXCHANGE,         16441, "ADDITIONAL_KEY_EXCHANGE",          "RFC 9370")  \
	X(IKE_N_USE_AGGFRAG,                     16442, "USE_AGGFRAG",                      "RFC 9347")      \
	X(IKE_N_SUPPORTED_AUTH_METHODS,          16443, "SUPPORTED_AUTH_METHODS",           "RFC 9593")      \
	X(IKE_N_SA_RESOURCE_INFO,                16444, "SA_RESOURCE_INFO",                 "RFC 9611")        \
	X(IKE_N_USE_PPK_INT,                     16445, "USE_PPK_INT",                      "RFC 9867")        \
	X(IKE_N_PPK_IDENTITY_KEY,                16446, "PPK_IDENTITY_KEY",                 "RFC 9867")

/* Notify types below this are errors (RFC 7296 3.10.1). */
#define IKE_N_STATUS_MIN 16384u
/* Private use (RFC 7296 3.10.1, IANA): where TBD draft values default. */
#define IKE_N_PRIVATE_MIN 40960u
#define IKE_N_PRIVATE_MAX 65535u

/* Identification types (RFC 7296 3.5, RFC 7619 for ID_NULL). */
#define IKE_ID_TABLE(X)                                                    \
	X(IKE_ID_IPV4_ADDR,    1, "IPV4_ADDR",    "RFC 7296 3.5")              \
	X(IKE_ID_FQDN,         2, "FQDN",         "RFC 7296 3.5")              \
	X(IKE_ID_RFC822_ADDR,  3, "RFC822_ADDR",  "RFC 7296 3.5")              \
	X(IKE_ID_IPV6_ADDR,    5, "IPV6_ADDR",    "RFC 7296 3.5")              \
	X(IKE_ID_DER_ASN1_DN,  9, "DER_ASN1_DN",  "RFC 7296 3.5")              \
	X(IKE_ID_DER_ASN1_GN, 10, "DER_ASN1_GN",  "RFC 7296 3.5")              \
	X(IKE_ID_KEY_ID,      11, "KEY_ID",       "RFC 7296 3.5")              \
	X(IKE_ID_FC_NAME,     12, "FC_NAME",      "RFC 4595")                  \
	X(IKE_ID_NULL,        13, "NULL",         "RFC 7619")

/* Authentication methods (RFC 7296 3.8). */
#define IKE_AUTH_TABLE(X)                                                          \
	X(IKE_AUTH_RSA_SIG,       1, "RSA_SIG",        "RFC 7296 3.8")                 \
	X(IKE_AUTH_PSK,           2, "PSK",            "RFC 7296 3.8")                 \
	X(IKE_AUTH_DSS,           3, "DSS",            "RFC 7296 3.8")                 \
	X(IKE_AUTH_ECDSA_256,     9, "ECDSA_SHA256_P256", "RFC 4754")                \
	X(IKE_AUTH_ECDSA_384,    10, "ECDSA_SHA384_P384", "RFC 4754")                \
	X(IKE_AUTH_ECDSA_521,    11, "ECDSA_SHA512_P521", "RFC 4754")                \
	X(IKE_AUTH_GSPM,         12, "GSPM",           "RFC 6467")                   \
	X(IKE_AUTH_NULL,         13, "NULL",           "RFC 7619")                   \
	X(IKE_AUTH_DIGITAL_SIG,  14, "DIGITAL_SIGNATURE", "RFC 7427 3")

/* Hash algorithms in SIGNATURE_HASH_ALGORITHMS (RFC 7427 7, RFC 8420). */
#define IKE_HASH_TABLE(X)                                                  \
	X(IKE_HASH_SHA1,     1, "SHA1",     "RFC 7427 7")                      \
	X(IKE_HASH_SHA2_256, 2, "SHA2_256", "RFC 7427 7")                      \
	X(IKE_HASH_SHA2_384, 3, "SHA2_384", "RFC 7427 7")                      \
	X(IKE_HASH_SHA2_512, 4, "SHA2_512", "RFC 7427 7")                      \
	X(IKE_HASH_IDENTITY, 5, "IDENTITY", "RFC 8420")

/* Certificate encodings (RFC 7296 3.6). */
#define IKE_CERT_TABLE(X)                                                          \
	X(IKE_CERT_PKCS7,             1, "PKCS7_X509",        "RFC 7296 3.6")          \
	X(IKE_CERT_PGP,               2, "PGP",               "RFC 7296 3.6")          \
	X(IKE_CERT_DNS_KEY,           3, "DNS_SIGNED_KEY",    "RFC 7296 3.6")          \
	X(IKE_CERT_X509_SIG,          4, "X509_SIGNATURE",    "RFC 7296 3.6")          \
	X(IKE_CERT_KERBEROS,          6, "KERBEROS",          "RFC 7296 3.6")          \
	X(IKE_CERT_CRL,               7, "CRL",               "RFC 7296 3.6")          \
	X(IKE_CERT_ARL,               8, "ARL",               "RFC 7296 3.6")          \
	X(IKE_CERT_SPKI,              9, "SPKI",              "RFC 7296 3.6")          \
	X(IKE_CERT_X509_ATTR,        10, "X509_ATTRIBUTE",    "RFC 7296 3.6")          \
	X(IKE_CERT_RAW_RSA,          11, "RAW_RSA_KEY",       "RFC 7296 3.6")          \
	X(IKE_CERT_HASH_URL_CERT,    12, "HASH_URL_X509_CERT",   "RFC 7296 3.6")       \
	X(IKE_CERT_HASH_URL_BUNDLE,  13, "HASH_URL_X509_BUNDLE", "RFC 7296 3.6")       \
	X(IKE_CERT_OCSP,             14, "OCSP_CONTENT",      "RFC 4806")          \
	X(IKE_CERT_RAW_PUBKEY,       15, "RAW_PUBLIC_KEY",    "RFC 7670")

/* Traffic selector types (RFC 7296 3.13.1, RFC 9478). */
#define IKE_TS_TABLE(X)                                                    \
	X(IKE_TS_IPV4_ADDR_RANGE,  7, "IPV4_ADDR_RANGE", "RFC 7296 3.13.1")    \
	X(IKE_TS_IPV6_ADDR_RANGE,  8, "IPV6_ADDR_RANGE", "RFC 7296 3.13.1")    \
	X(IKE_TS_FC_ADDR_RANGE,    9, "FC_ADDR_RANGE",   "RFC 4595")           \
	X(IKE_TS_SECLABEL,        10, "SECLABEL",        "RFC 9478")

/* Configuration payload types (RFC 7296 3.15). */
#define IKE_CFG_TABLE(X)                                                   \
	X(IKE_CFG_REQUEST, 1, "CFG_REQUEST", "RFC 7296 3.15")                  \
	X(IKE_CFG_REPLY,   2, "CFG_REPLY",   "RFC 7296 3.15")                  \
	X(IKE_CFG_SET,     3, "CFG_SET",     "RFC 7296 3.15")                  \
	X(IKE_CFG_ACK,     4, "CFG_ACK",     "RFC 7296 3.15")

/* Configuration attributes (RFC 7296 3.15.1, RFC 8598 for the DNS ones). */
#define IKE_CPA_TABLE(X)                                                                   \
	X(IKE_CPA_INTERNAL_IP4_ADDRESS,     1, "INTERNAL_IP4_ADDRESS",     "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP4_NETMASK,     2, "INTERNAL_IP4_NETMASK",     "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP4_DNS,         3, "INTERNAL_IP4_DNS",         "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP4_NBNS,        4, "INTERNAL_IP4_NBNS",        "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP4_DHCP,        6, "INTERNAL_IP4_DHCP",        "RFC 7296 3.15.1")  \
	X(IKE_CPA_APPLICATION_VERSION,      7, "APPLICATION_VERSION",      "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP6_ADDRESS,     8, "INTERNAL_IP6_ADDRESS",     "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP6_DNS,        10, "INTERNAL_IP6_DNS",         "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP6_DHCP,       12, "INTERNAL_IP6_DHCP",        "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP4_SUBNET,     13, "INTERNAL_IP4_SUBNET",      "RFC 7296 3.15.1")  \
	X(IKE_CPA_SUPPORTED_ATTRIBUTES,    14, "SUPPORTED_ATTRIBUTES",     "RFC 7296 3.15.1")  \
	X(IKE_CPA_INTERNAL_IP6_SUBNET,     15, "INTERNAL_IP6_SUBNET",      "RFC 7296 3.15.1")  \
	X(IKE_CPA_MIP6_HOME_PREFIX,        16, "MIP6_HOME_PREFIX",         "RFC 5026")         \
	X(IKE_CPA_INTERNAL_IP6_LINK,       17, "INTERNAL_IP6_LINK",        "RFC 5739")         \
	X(IKE_CPA_INTERNAL_IP6_PREFIX,     18, "INTERNAL_IP6_PREFIX",      "RFC 5739")         \
	X(IKE_CPA_HOME_AGENT_ADDRESS,      19, "HOME_AGENT_ADDRESS",       "RFC 5026")         \
	X(IKE_CPA_P_CSCF_IP4_ADDRESS,      20, "P_CSCF_IP4_ADDRESS",       "RFC 7651")         \
	X(IKE_CPA_P_CSCF_IP6_ADDRESS,      21, "P_CSCF_IP6_ADDRESS",       "RFC 7651")         \
	X(IKE_CPA_INTERNAL_DNS_DOMAIN,     25, "INTERNAL_DNS_DOMAIN",      "RFC 8598 4")       \
	X(IKE_CPA_INTERNAL_DNSSEC_TA,      26, "INTERNAL_DNSSEC_TA",       "RFC 8598 4")

/* EAP codes (RFC 3748 4) as carried in the EAP payload (RFC 7296 3.16). */
#define IKE_EAP_CODE_TABLE(X)                                              \
	X(IKE_EAP_REQUEST,  1, "Request",  "RFC 3748 4")                       \
	X(IKE_EAP_RESPONSE, 2, "Response", "RFC 3748 4")                       \
	X(IKE_EAP_SUCCESS,  3, "Success",  "RFC 3748 4")                       \
	X(IKE_EAP_FAILURE,  4, "Failure",  "RFC 3748 4")

#define IKE_CONST_ENUM(sym, val, name, ref) sym = val,
enum ike_exch { IKE_EXCH_TABLE(IKE_CONST_ENUM) };
enum ike_pld_type { IKE_PLD_TABLE(IKE_CONST_ENUM) };
enum ike_xform_type { IKE_XFORM_TABLE(IKE_CONST_ENUM) };
enum ike_encr { IKE_ENCR_TABLE(IKE_CONST_ENUM) };
enum ike_prf { IKE_PRF_TABLE(IKE_CONST_ENUM) };
enum ike_integ { IKE_INTEG_TABLE(IKE_CONST_ENUM) };
enum ike_ke_method { IKE_KE_TABLE(IKE_CONST_ENUM) };
enum ike_esn { IKE_ESN_TABLE(IKE_CONST_ENUM) };
enum ike_attr_type { IKE_ATTR_TABLE(IKE_CONST_ENUM) };
enum ike_proto { IKE_PROTO_TABLE(IKE_CONST_ENUM) };
enum ike_notify_type { IKE_NOTIFY_TABLE(IKE_CONST_ENUM) };
enum ike_id_type { IKE_ID_TABLE(IKE_CONST_ENUM) };
enum ike_auth_method { IKE_AUTH_TABLE(IKE_CONST_ENUM) };
enum ike_hash_alg { IKE_HASH_TABLE(IKE_CONST_ENUM) };
enum ike_cert_enc { IKE_CERT_TABLE(IKE_CONST_ENUM) };
enum ike_ts_type { IKE_TS_TABLE(IKE_CONST_ENUM) };
enum ike_cfg_type { IKE_CFG_TABLE(IKE_CONST_ENUM) };
enum ike_cp_attr_type { IKE_CPA_TABLE(IKE_CONST_ENUM) };
enum ike_eap_code { IKE_EAP_CODE_TABLE(IKE_CONST_ENUM) };
#undef IKE_CONST_ENUM

/* Header flags (RFC 7296 3.1). */
#define IKE_HDR_F_INITIATOR 0x08u
#define IKE_HDR_F_VERSION   0x10u
#define IKE_HDR_F_RESPONSE  0x20u
/* Version octet: major 2, minor 0 (RFC 7296 3.1). */
#define IKE_VERSION_2_0     0x20u
/* Generic payload header critical bit (RFC 7296 3.2). */
#define IKE_PLD_F_CRITICAL  0x80u

/* Names for logs: the registered name, or "UNKNOWN(n)" (from a small
 * per-thread ring, valid for the next few calls). Never NULL. */
const char *ike_exch_name(unsigned v);
const char *ike_pld_name(unsigned v);
const char *ike_xform_name(unsigned v);
const char *ike_encr_name(unsigned v);
const char *ike_prf_name(unsigned v);
const char *ike_integ_name(unsigned v);
const char *ike_ke_name(unsigned v);
const char *ike_esn_name(unsigned v);
const char *ike_attr_name(unsigned v);
const char *ike_proto_name(unsigned v);
const char *ike_notify_name(unsigned v);
const char *ike_id_name(unsigned v);
const char *ike_auth_name(unsigned v);
const char *ike_hash_name(unsigned v);
const char *ike_cert_name(unsigned v);
const char *ike_ts_name(unsigned v);
const char *ike_cfg_name(unsigned v);
const char *ike_cpa_name(unsigned v);
const char *ike_eap_code_name(unsigned v);
/* A transform ID named by its transform type (ADDKEn use the KE table). */
const char *ike_xform_id_name(unsigned type, unsigned id);

/* 1 when v is a registered notify type (a TBD value must not collide). */
int ike_notify_registered(unsigned v);

#endif
