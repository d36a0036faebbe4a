// Every constant bsdsock exports, read from the system headers. GENERATED, do not edit:
// the list is scripts/constants.txt; run `npm run gen:constants` after changing it.
//
// Each value is #if-guarded, so a constant the build's headers lack is simply absent (as in
// CPython). The list holds every constant Python's socket module defines on Linux, plus ETH_P_*,
// PACKET_*, SO_/SCM_ timestamping, UDP GSO/GRO and other Linux names raw sockets need.
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>

#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/net_tstamp.h>
#include <linux/netlink.h>
#if __has_include(<linux/tipc.h>)
#include <linux/tipc.h>
#endif
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif
#if __has_include(<linux/if_alg.h>)
#include <linux/if_alg.h>
#endif
#if __has_include(<linux/can.h>)
#include <linux/can.h>
#include <linux/can/raw.h>
#define BSDSOCK_HAVE_CAN 1
#endif
#if __has_include(<linux/can/bcm.h>)
#include <linux/can/bcm.h>
#define BSDSOCK_HAVE_CAN_BCM 1
#endif
#if __has_include(<linux/can/j1939.h>)
#include <linux/can/j1939.h>
#define BSDSOCK_HAVE_J1939 1
#endif
#if __has_include(<linux/can/isotp.h>)
#include <linux/can/isotp.h>
#endif

#include "addon.h"

// The kernel's ICMP filter options, without pulling in <linux/icmp.h> (whose struct
// names clash with glibc's). Values from include/uapi/linux/icmp.h and icmpv6.h.
#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef ICMPV6_FILTER
#define ICMPV6_FILTER 1
#endif
#ifndef SOL_ICMPV6
#define SOL_ICMPV6 58
#endif

namespace bsdsock {

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
#define ADD(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
#define ADDV(name, value) c.Set(name, Napi::Number::New(env, static_cast<double>(value)))
#ifdef AF_ALG
  ADD(AF_ALG);
#endif
#ifdef AF_APPLETALK
  ADD(AF_APPLETALK);
#endif
#ifdef AF_ASH
  ADD(AF_ASH);
#endif
#ifdef AF_ATMPVC
  ADD(AF_ATMPVC);
#endif
#ifdef AF_ATMSVC
  ADD(AF_ATMSVC);
#endif
#ifdef AF_AX25
  ADD(AF_AX25);
#endif
#ifdef AF_BRIDGE
  ADD(AF_BRIDGE);
#endif
#ifdef AF_CAN
  ADD(AF_CAN);
#endif
#ifdef AF_DECnet
  ADD(AF_DECnet);
#endif
#ifdef AF_ECONET
  ADD(AF_ECONET);
#endif
#ifdef AF_INET
  ADD(AF_INET);
#endif
#ifdef AF_INET6
  ADD(AF_INET6);
#endif
#ifdef AF_IPX
  ADD(AF_IPX);
#endif
#ifdef AF_IRDA
  ADD(AF_IRDA);
#endif
#ifdef AF_KEY
  ADD(AF_KEY);
#endif
#ifdef AF_LLC
  ADD(AF_LLC);
#endif
#ifdef AF_NETBEUI
  ADD(AF_NETBEUI);
#endif
#ifdef AF_NETLINK
  ADD(AF_NETLINK);
#endif
#ifdef AF_NETROM
  ADD(AF_NETROM);
#endif
#ifdef AF_PACKET
  ADD(AF_PACKET);
#endif
#ifdef AF_PPPOX
  ADD(AF_PPPOX);
#endif
#ifdef AF_QIPCRTR
  ADD(AF_QIPCRTR);
#endif
#ifdef AF_RDS
  ADD(AF_RDS);
#endif
#ifdef AF_ROSE
  ADD(AF_ROSE);
#endif
#ifdef AF_ROUTE
  ADD(AF_ROUTE);
#endif
#ifdef AF_SECURITY
  ADD(AF_SECURITY);
#endif
#ifdef AF_SNA
  ADD(AF_SNA);
#endif
#ifdef AF_TIPC
  ADD(AF_TIPC);
#endif
#ifdef AF_UNIX
  ADD(AF_UNIX);
#endif
#ifdef AF_UNSPEC
  ADD(AF_UNSPEC);
#endif
#ifdef AF_VSOCK
  ADD(AF_VSOCK);
#endif
#ifdef AF_WANPIPE
  ADD(AF_WANPIPE);
#endif
#ifdef AF_X25
  ADD(AF_X25);
#endif
#ifdef AI_ADDRCONFIG
  ADD(AI_ADDRCONFIG);
#endif
#ifdef AI_ALL
  ADD(AI_ALL);
#endif
#ifdef AI_CANONNAME
  ADD(AI_CANONNAME);
#endif
#ifdef AI_NUMERICHOST
  ADD(AI_NUMERICHOST);
#endif
#ifdef AI_NUMERICSERV
  ADD(AI_NUMERICSERV);
#endif
#ifdef AI_PASSIVE
  ADD(AI_PASSIVE);
#endif
#ifdef AI_V4MAPPED
  ADD(AI_V4MAPPED);
#endif
#ifdef ALG_OP_DECRYPT
  ADD(ALG_OP_DECRYPT);
#endif
#ifdef ALG_OP_ENCRYPT
  ADD(ALG_OP_ENCRYPT);
#endif
#ifdef ALG_OP_SIGN
  ADD(ALG_OP_SIGN);
#elif defined(ALG_OP_ENCRYPT)
  ADDV("ALG_OP_SIGN", 2);
#endif
#ifdef ALG_OP_VERIFY
  ADD(ALG_OP_VERIFY);
#elif defined(ALG_OP_ENCRYPT)
  ADDV("ALG_OP_VERIFY", 3);
#endif
#ifdef ALG_SET_AEAD_ASSOCLEN
  ADD(ALG_SET_AEAD_ASSOCLEN);
#endif
#ifdef ALG_SET_AEAD_AUTHSIZE
  ADD(ALG_SET_AEAD_AUTHSIZE);
#endif
#ifdef ALG_SET_IV
  ADD(ALG_SET_IV);
#endif
#ifdef ALG_SET_KEY
  ADD(ALG_SET_KEY);
#endif
#ifdef ALG_SET_OP
  ADD(ALG_SET_OP);
#endif
#ifdef ALG_SET_PUBKEY
  ADD(ALG_SET_PUBKEY);
#elif defined(ALG_SET_AEAD_AUTHSIZE)
  ADDV("ALG_SET_PUBKEY", 6);
#endif
#ifdef CAN_BCM
  ADD(CAN_BCM);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_CAN_FD_FRAME", CAN_FD_FRAME);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_ANNOUNCE_RESUME", RX_ANNOUNCE_RESUME);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_CHANGED", RX_CHANGED);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_CHECK_DLC", RX_CHECK_DLC);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_DELETE", RX_DELETE);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_FILTER_ID", RX_FILTER_ID);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_NO_AUTOTIMER", RX_NO_AUTOTIMER);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_READ", RX_READ);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_RTR_FRAME", RX_RTR_FRAME);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_SETUP", RX_SETUP);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_STATUS", RX_STATUS);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_RX_TIMEOUT", RX_TIMEOUT);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_SETTIMER", SETTIMER);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_STARTTIMER", STARTTIMER);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_ANNOUNCE", TX_ANNOUNCE);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_COUNTEVT", TX_COUNTEVT);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_CP_CAN_ID", TX_CP_CAN_ID);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_DELETE", TX_DELETE);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_EXPIRED", TX_EXPIRED);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_READ", TX_READ);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_RESET_MULTI_IDX", TX_RESET_MULTI_IDX);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_SEND", TX_SEND);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_SETUP", TX_SETUP);
#endif
#if defined(BSDSOCK_HAVE_CAN_BCM)
  ADDV("CAN_BCM_TX_STATUS", TX_STATUS);
#endif
#ifdef CAN_EFF_FLAG
  ADD(CAN_EFF_FLAG);
#endif
#ifdef CAN_EFF_MASK
  ADD(CAN_EFF_MASK);
#endif
#ifdef CAN_ERR_FLAG
  ADD(CAN_ERR_FLAG);
#endif
#ifdef CAN_ERR_MASK
  ADD(CAN_ERR_MASK);
#endif
#ifdef CAN_ISOTP
  ADD(CAN_ISOTP);
#endif
#ifdef CAN_J1939
  ADD(CAN_J1939);
#endif
#ifdef CAN_RAW
  ADD(CAN_RAW);
#endif
#if defined(CAN_RAW_FD_FRAMES) || (defined(BSDSOCK_HAVE_CAN))
  ADD(CAN_RAW_FD_FRAMES);
#endif
#if defined(CAN_RAW_FILTER) || (defined(BSDSOCK_HAVE_CAN))
  ADD(CAN_RAW_FILTER);
#endif
#if defined(CAN_RAW_JOIN_FILTERS) || (defined(BSDSOCK_HAVE_CAN))
  ADD(CAN_RAW_JOIN_FILTERS);
#endif
#if defined(CAN_RAW_LOOPBACK) || (defined(BSDSOCK_HAVE_CAN))
  ADD(CAN_RAW_LOOPBACK);
#endif
#if defined(CAN_RAW_RECV_OWN_MSGS) || (defined(BSDSOCK_HAVE_CAN))
  ADD(CAN_RAW_RECV_OWN_MSGS);
#endif
#ifdef CAN_RTR_FLAG
  ADD(CAN_RTR_FLAG);
#endif
#ifdef CAN_SFF_MASK
  ADD(CAN_SFF_MASK);
#endif
#ifdef EAGAIN
  ADD(EAGAIN);
#endif
#ifdef EAI_ADDRFAMILY
  ADD(EAI_ADDRFAMILY);
#endif
#ifdef EAI_AGAIN
  ADD(EAI_AGAIN);
#endif
#ifdef EAI_BADFLAGS
  ADD(EAI_BADFLAGS);
#endif
#ifdef EAI_FAIL
  ADD(EAI_FAIL);
#endif
#ifdef EAI_FAMILY
  ADD(EAI_FAMILY);
#endif
#ifdef EAI_MEMORY
  ADD(EAI_MEMORY);
#endif
#ifdef EAI_NODATA
  ADD(EAI_NODATA);
#endif
#ifdef EAI_NONAME
  ADD(EAI_NONAME);
#endif
#ifdef EAI_OVERFLOW
  ADD(EAI_OVERFLOW);
#endif
#ifdef EAI_SERVICE
  ADD(EAI_SERVICE);
#endif
#ifdef EAI_SOCKTYPE
  ADD(EAI_SOCKTYPE);
#endif
#ifdef EAI_SYSTEM
  ADD(EAI_SYSTEM);
#endif
#ifdef EBADF
  ADD(EBADF);
#endif
#ifdef ETHERTYPE_ARP
  ADD(ETHERTYPE_ARP);
#endif
#ifdef ETHERTYPE_IP
  ADD(ETHERTYPE_IP);
#endif
#ifdef ETHERTYPE_IPV6
  ADD(ETHERTYPE_IPV6);
#endif
#ifdef ETHERTYPE_VLAN
  ADD(ETHERTYPE_VLAN);
#endif
#ifdef ETH_P_1588
  ADD(ETH_P_1588);
#endif
#ifdef ETH_P_8021AD
  ADD(ETH_P_8021AD);
#endif
#ifdef ETH_P_8021AH
  ADD(ETH_P_8021AH);
#endif
#ifdef ETH_P_8021Q
  ADD(ETH_P_8021Q);
#endif
#ifdef ETH_P_80221
  ADD(ETH_P_80221);
#endif
#ifdef ETH_P_802_2
  ADD(ETH_P_802_2);
#endif
#ifdef ETH_P_802_3
  ADD(ETH_P_802_3);
#endif
#ifdef ETH_P_802_3_MIN
  ADD(ETH_P_802_3_MIN);
#endif
#ifdef ETH_P_802_EX1
  ADD(ETH_P_802_EX1);
#endif
#ifdef ETH_P_AARP
  ADD(ETH_P_AARP);
#endif
#ifdef ETH_P_AF_IUCV
  ADD(ETH_P_AF_IUCV);
#endif
#ifdef ETH_P_ALL
  ADD(ETH_P_ALL);
#endif
#ifdef ETH_P_AOE
  ADD(ETH_P_AOE);
#endif
#ifdef ETH_P_ARCNET
  ADD(ETH_P_ARCNET);
#endif
#ifdef ETH_P_ARP
  ADD(ETH_P_ARP);
#endif
#ifdef ETH_P_ATALK
  ADD(ETH_P_ATALK);
#endif
#ifdef ETH_P_ATMFATE
  ADD(ETH_P_ATMFATE);
#endif
#ifdef ETH_P_ATMMPOA
  ADD(ETH_P_ATMMPOA);
#endif
#ifdef ETH_P_AX25
  ADD(ETH_P_AX25);
#endif
#ifdef ETH_P_BATMAN
  ADD(ETH_P_BATMAN);
#endif
#ifdef ETH_P_BPQ
  ADD(ETH_P_BPQ);
#endif
#ifdef ETH_P_CAIF
  ADD(ETH_P_CAIF);
#endif
#ifdef ETH_P_CAN
  ADD(ETH_P_CAN);
#endif
#ifdef ETH_P_CANFD
  ADD(ETH_P_CANFD);
#endif
#ifdef ETH_P_CANXL
  ADD(ETH_P_CANXL);
#endif
#ifdef ETH_P_CFM
  ADD(ETH_P_CFM);
#endif
#ifdef ETH_P_CONTROL
  ADD(ETH_P_CONTROL);
#endif
#ifdef ETH_P_CUST
  ADD(ETH_P_CUST);
#endif
#ifdef ETH_P_DDCMP
  ADD(ETH_P_DDCMP);
#endif
#ifdef ETH_P_DEC
  ADD(ETH_P_DEC);
#endif
#ifdef ETH_P_DIAG
  ADD(ETH_P_DIAG);
#endif
#ifdef ETH_P_DNA_DL
  ADD(ETH_P_DNA_DL);
#endif
#ifdef ETH_P_DNA_RC
  ADD(ETH_P_DNA_RC);
#endif
#ifdef ETH_P_DNA_RT
  ADD(ETH_P_DNA_RT);
#endif
#ifdef ETH_P_DSA
  ADD(ETH_P_DSA);
#endif
#ifdef ETH_P_DSA_8021Q
  ADD(ETH_P_DSA_8021Q);
#endif
#ifdef ETH_P_DSA_A5PSW
  ADD(ETH_P_DSA_A5PSW);
#endif
#ifdef ETH_P_ECONET
  ADD(ETH_P_ECONET);
#endif
#ifdef ETH_P_EDSA
  ADD(ETH_P_EDSA);
#endif
#ifdef ETH_P_ERSPAN
  ADD(ETH_P_ERSPAN);
#endif
#ifdef ETH_P_ERSPAN2
  ADD(ETH_P_ERSPAN2);
#endif
#ifdef ETH_P_ETHERCAT
  ADD(ETH_P_ETHERCAT);
#endif
#ifdef ETH_P_FCOE
  ADD(ETH_P_FCOE);
#endif
#ifdef ETH_P_FIP
  ADD(ETH_P_FIP);
#endif
#ifdef ETH_P_HDLC
  ADD(ETH_P_HDLC);
#endif
#ifdef ETH_P_HSR
  ADD(ETH_P_HSR);
#endif
#ifdef ETH_P_IBOE
  ADD(ETH_P_IBOE);
#endif
#ifdef ETH_P_IEEE802154
  ADD(ETH_P_IEEE802154);
#endif
#ifdef ETH_P_IEEEPUP
  ADD(ETH_P_IEEEPUP);
#endif
#ifdef ETH_P_IEEEPUPAT
  ADD(ETH_P_IEEEPUPAT);
#endif
#ifdef ETH_P_IFE
  ADD(ETH_P_IFE);
#endif
#ifdef ETH_P_IP
  ADD(ETH_P_IP);
#endif
#ifdef ETH_P_IPV6
  ADD(ETH_P_IPV6);
#endif
#ifdef ETH_P_IPX
  ADD(ETH_P_IPX);
#endif
#ifdef ETH_P_IRDA
  ADD(ETH_P_IRDA);
#endif
#ifdef ETH_P_LAT
  ADD(ETH_P_LAT);
#endif
#ifdef ETH_P_LINK_CTL
  ADD(ETH_P_LINK_CTL);
#endif
#ifdef ETH_P_LLDP
  ADD(ETH_P_LLDP);
#endif
#ifdef ETH_P_LOCALTALK
  ADD(ETH_P_LOCALTALK);
#endif
#ifdef ETH_P_LOOP
  ADD(ETH_P_LOOP);
#endif
#ifdef ETH_P_LOOPBACK
  ADD(ETH_P_LOOPBACK);
#endif
#ifdef ETH_P_MACSEC
  ADD(ETH_P_MACSEC);
#endif
#ifdef ETH_P_MAP
  ADD(ETH_P_MAP);
#endif
#ifdef ETH_P_MCTP
  ADD(ETH_P_MCTP);
#endif
#ifdef ETH_P_MOBITEX
  ADD(ETH_P_MOBITEX);
#endif
#ifdef ETH_P_MPLS_MC
  ADD(ETH_P_MPLS_MC);
#endif
#ifdef ETH_P_MPLS_UC
  ADD(ETH_P_MPLS_UC);
#endif
#ifdef ETH_P_MRP
  ADD(ETH_P_MRP);
#endif
#ifdef ETH_P_MVRP
  ADD(ETH_P_MVRP);
#endif
#ifdef ETH_P_NCSI
  ADD(ETH_P_NCSI);
#endif
#ifdef ETH_P_NSH
  ADD(ETH_P_NSH);
#endif
#ifdef ETH_P_PAE
  ADD(ETH_P_PAE);
#endif
#ifdef ETH_P_PAUSE
  ADD(ETH_P_PAUSE);
#endif
#ifdef ETH_P_PHONET
  ADD(ETH_P_PHONET);
#endif
#ifdef ETH_P_PPPTALK
  ADD(ETH_P_PPPTALK);
#endif
#ifdef ETH_P_PPP_DISC
  ADD(ETH_P_PPP_DISC);
#endif
#ifdef ETH_P_PPP_MP
  ADD(ETH_P_PPP_MP);
#endif
#ifdef ETH_P_PPP_SES
  ADD(ETH_P_PPP_SES);
#endif
#ifdef ETH_P_PREAUTH
  ADD(ETH_P_PREAUTH);
#endif
#ifdef ETH_P_PROFINET
  ADD(ETH_P_PROFINET);
#endif
#ifdef ETH_P_PRP
  ADD(ETH_P_PRP);
#endif
#ifdef ETH_P_PUP
  ADD(ETH_P_PUP);
#endif
#ifdef ETH_P_PUPAT
  ADD(ETH_P_PUPAT);
#endif
#ifdef ETH_P_QINQ1
  ADD(ETH_P_QINQ1);
#endif
#ifdef ETH_P_QINQ2
  ADD(ETH_P_QINQ2);
#endif
#ifdef ETH_P_QINQ3
  ADD(ETH_P_QINQ3);
#endif
#ifdef ETH_P_RARP
  ADD(ETH_P_RARP);
#endif
#ifdef ETH_P_REALTEK
  ADD(ETH_P_REALTEK);
#endif
#ifdef ETH_P_SCA
  ADD(ETH_P_SCA);
#endif
#ifdef ETH_P_SLOW
  ADD(ETH_P_SLOW);
#endif
#ifdef ETH_P_SNAP
  ADD(ETH_P_SNAP);
#endif
#ifdef ETH_P_TDLS
  ADD(ETH_P_TDLS);
#endif
#ifdef ETH_P_TEB
  ADD(ETH_P_TEB);
#endif
#ifdef ETH_P_TIPC
  ADD(ETH_P_TIPC);
#endif
#ifdef ETH_P_TRAILER
  ADD(ETH_P_TRAILER);
#endif
#ifdef ETH_P_TR_802_2
  ADD(ETH_P_TR_802_2);
#endif
#ifdef ETH_P_TSN
  ADD(ETH_P_TSN);
#endif
#ifdef ETH_P_WAN_PPP
  ADD(ETH_P_WAN_PPP);
#endif
#ifdef ETH_P_WCCP
  ADD(ETH_P_WCCP);
#endif
#ifdef ETH_P_X25
  ADD(ETH_P_X25);
#endif
#ifdef ETH_P_XDSA
  ADD(ETH_P_XDSA);
#endif
#ifdef EWOULDBLOCK
  ADD(EWOULDBLOCK);
#endif
#ifdef ICMP6_FILTER
  ADD(ICMP6_FILTER);
#endif
#ifdef ICMPV6_FILTER
  ADD(ICMPV6_FILTER);
#endif
#ifdef ICMP_FILTER
  ADD(ICMP_FILTER);
#endif
#ifdef INADDR_ALLHOSTS_GROUP
  ADD(INADDR_ALLHOSTS_GROUP);
#endif
#ifdef INADDR_ANY
  ADD(INADDR_ANY);
#endif
#ifdef INADDR_BROADCAST
  ADD(INADDR_BROADCAST);
#endif
#ifdef INADDR_LOOPBACK
  ADD(INADDR_LOOPBACK);
#endif
#ifdef INADDR_MAX_LOCAL_GROUP
  ADD(INADDR_MAX_LOCAL_GROUP);
#endif
#ifdef INADDR_NONE
  ADD(INADDR_NONE);
#endif
#ifdef INADDR_UNSPEC_GROUP
  ADD(INADDR_UNSPEC_GROUP);
#endif
#ifdef IOCTL_VM_SOCKETS_GET_LOCAL_CID
  ADD(IOCTL_VM_SOCKETS_GET_LOCAL_CID);
#endif
#ifdef IPPORT_RESERVED
  ADD(IPPORT_RESERVED);
#endif
#ifdef IPPORT_USERRESERVED
  ADD(IPPORT_USERRESERVED);
#else
  ADDV("IPPORT_USERRESERVED", 5000);
#endif
#ifdef IPPROTO_AH
  ADD(IPPROTO_AH);
#endif
#ifdef IPPROTO_BEETPH
  ADD(IPPROTO_BEETPH);
#endif
#ifdef IPPROTO_COMP
  ADD(IPPROTO_COMP);
#endif
#ifdef IPPROTO_DCCP
  ADD(IPPROTO_DCCP);
#endif
#ifdef IPPROTO_DSTOPTS
  ADD(IPPROTO_DSTOPTS);
#endif
#ifdef IPPROTO_EGP
  ADD(IPPROTO_EGP);
#endif
#ifdef IPPROTO_ENCAP
  ADD(IPPROTO_ENCAP);
#endif
#ifdef IPPROTO_ESP
  ADD(IPPROTO_ESP);
#endif
#ifdef IPPROTO_ETHERNET
  ADD(IPPROTO_ETHERNET);
#endif
#ifdef IPPROTO_FRAGMENT
  ADD(IPPROTO_FRAGMENT);
#endif
#ifdef IPPROTO_GRE
  ADD(IPPROTO_GRE);
#endif
#ifdef IPPROTO_HOPOPTS
  ADD(IPPROTO_HOPOPTS);
#endif
#ifdef IPPROTO_ICMP
  ADD(IPPROTO_ICMP);
#endif
#ifdef IPPROTO_ICMPV6
  ADD(IPPROTO_ICMPV6);
#endif
#ifdef IPPROTO_IDP
  ADD(IPPROTO_IDP);
#endif
#ifdef IPPROTO_IGMP
  ADD(IPPROTO_IGMP);
#endif
#ifdef IPPROTO_IP
  ADD(IPPROTO_IP);
#endif
#ifdef IPPROTO_IPIP
  ADD(IPPROTO_IPIP);
#endif
#ifdef IPPROTO_IPV6
  ADD(IPPROTO_IPV6);
#endif
#ifdef IPPROTO_MH
  ADD(IPPROTO_MH);
#endif
#ifdef IPPROTO_MPLS
  ADD(IPPROTO_MPLS);
#endif
#ifdef IPPROTO_MPTCP
  ADD(IPPROTO_MPTCP);
#endif
#ifdef IPPROTO_MTP
  ADD(IPPROTO_MTP);
#endif
#ifdef IPPROTO_NONE
  ADD(IPPROTO_NONE);
#endif
#ifdef IPPROTO_PIM
  ADD(IPPROTO_PIM);
#endif
#ifdef IPPROTO_PUP
  ADD(IPPROTO_PUP);
#endif
#ifdef IPPROTO_RAW
  ADD(IPPROTO_RAW);
#endif
#ifdef IPPROTO_ROUTING
  ADD(IPPROTO_ROUTING);
#endif
#ifdef IPPROTO_RSVP
  ADD(IPPROTO_RSVP);
#endif
#ifdef IPPROTO_SCTP
  ADD(IPPROTO_SCTP);
#endif
#ifdef IPPROTO_TCP
  ADD(IPPROTO_TCP);
#endif
#ifdef IPPROTO_TP
  ADD(IPPROTO_TP);
#endif
#ifdef IPPROTO_UDP
  ADD(IPPROTO_UDP);
#endif
#ifdef IPPROTO_UDPLITE
  ADD(IPPROTO_UDPLITE);
#endif
#ifdef IPV6_2292DSTOPTS
  ADD(IPV6_2292DSTOPTS);
#endif
#ifdef IPV6_2292HOPLIMIT
  ADD(IPV6_2292HOPLIMIT);
#endif
#ifdef IPV6_2292HOPOPTS
  ADD(IPV6_2292HOPOPTS);
#endif
#ifdef IPV6_2292PKTINFO
  ADD(IPV6_2292PKTINFO);
#endif
#ifdef IPV6_2292PKTOPTIONS
  ADD(IPV6_2292PKTOPTIONS);
#endif
#ifdef IPV6_2292RTHDR
  ADD(IPV6_2292RTHDR);
#endif
#ifdef IPV6_ADDRFORM
  ADD(IPV6_ADDRFORM);
#endif
#ifdef IPV6_ADD_MEMBERSHIP
  ADD(IPV6_ADD_MEMBERSHIP);
#endif
#ifdef IPV6_AUTOFLOWLABEL
  ADD(IPV6_AUTOFLOWLABEL);
#endif
#ifdef IPV6_CHECKSUM
  ADD(IPV6_CHECKSUM);
#endif
#ifdef IPV6_DONTFRAG
  ADD(IPV6_DONTFRAG);
#endif
#ifdef IPV6_DROP_MEMBERSHIP
  ADD(IPV6_DROP_MEMBERSHIP);
#endif
#ifdef IPV6_DSTOPTS
  ADD(IPV6_DSTOPTS);
#endif
#ifdef IPV6_FREEBIND
  ADD(IPV6_FREEBIND);
#endif
#ifdef IPV6_HOPLIMIT
  ADD(IPV6_HOPLIMIT);
#endif
#ifdef IPV6_HOPOPTS
  ADD(IPV6_HOPOPTS);
#endif
#ifdef IPV6_JOIN_GROUP
  ADD(IPV6_JOIN_GROUP);
#endif
#ifdef IPV6_LEAVE_GROUP
  ADD(IPV6_LEAVE_GROUP);
#endif
#ifdef IPV6_MINHOPCOUNT
  ADD(IPV6_MINHOPCOUNT);
#endif
#ifdef IPV6_MTU
  ADD(IPV6_MTU);
#endif
#ifdef IPV6_MTU_DISCOVER
  ADD(IPV6_MTU_DISCOVER);
#endif
#ifdef IPV6_MULTICAST_ALL
  ADD(IPV6_MULTICAST_ALL);
#endif
#ifdef IPV6_MULTICAST_HOPS
  ADD(IPV6_MULTICAST_HOPS);
#endif
#ifdef IPV6_MULTICAST_IF
  ADD(IPV6_MULTICAST_IF);
#endif
#ifdef IPV6_MULTICAST_LOOP
  ADD(IPV6_MULTICAST_LOOP);
#endif
#ifdef IPV6_NEXTHOP
  ADD(IPV6_NEXTHOP);
#endif
#ifdef IPV6_ORIGDSTADDR
  ADD(IPV6_ORIGDSTADDR);
#endif
#ifdef IPV6_PATHMTU
  ADD(IPV6_PATHMTU);
#endif
#ifdef IPV6_PKTINFO
  ADD(IPV6_PKTINFO);
#endif
#ifdef IPV6_PMTUDISC_DO
  ADD(IPV6_PMTUDISC_DO);
#endif
#ifdef IPV6_PMTUDISC_DONT
  ADD(IPV6_PMTUDISC_DONT);
#endif
#ifdef IPV6_PMTUDISC_PROBE
  ADD(IPV6_PMTUDISC_PROBE);
#endif
#ifdef IPV6_PMTUDISC_WANT
  ADD(IPV6_PMTUDISC_WANT);
#endif
#ifdef IPV6_RECVDSTOPTS
  ADD(IPV6_RECVDSTOPTS);
#endif
#ifdef IPV6_RECVERR
  ADD(IPV6_RECVERR);
#endif
#ifdef IPV6_RECVFRAGSIZE
  ADD(IPV6_RECVFRAGSIZE);
#endif
#ifdef IPV6_RECVHOPLIMIT
  ADD(IPV6_RECVHOPLIMIT);
#endif
#ifdef IPV6_RECVHOPOPTS
  ADD(IPV6_RECVHOPOPTS);
#endif
#ifdef IPV6_RECVORIGDSTADDR
  ADD(IPV6_RECVORIGDSTADDR);
#endif
#ifdef IPV6_RECVPATHMTU
  ADD(IPV6_RECVPATHMTU);
#endif
#ifdef IPV6_RECVPKTINFO
  ADD(IPV6_RECVPKTINFO);
#endif
#ifdef IPV6_RECVRTHDR
  ADD(IPV6_RECVRTHDR);
#endif
#ifdef IPV6_RECVTCLASS
  ADD(IPV6_RECVTCLASS);
#endif
#ifdef IPV6_ROUTER_ALERT
  ADD(IPV6_ROUTER_ALERT);
#endif
#ifdef IPV6_RTHDR
  ADD(IPV6_RTHDR);
#endif
#ifdef IPV6_RTHDRDSTOPTS
  ADD(IPV6_RTHDRDSTOPTS);
#endif
#ifdef IPV6_RTHDR_TYPE_0
  ADD(IPV6_RTHDR_TYPE_0);
#endif
#ifdef IPV6_TCLASS
  ADD(IPV6_TCLASS);
#endif
#ifdef IPV6_TRANSPARENT
  ADD(IPV6_TRANSPARENT);
#endif
#ifdef IPV6_UNICAST_HOPS
  ADD(IPV6_UNICAST_HOPS);
#endif
#ifdef IPV6_UNICAST_IF
  ADD(IPV6_UNICAST_IF);
#endif
#ifdef IPV6_V6ONLY
  ADD(IPV6_V6ONLY);
#endif
#ifdef IP_ADD_MEMBERSHIP
  ADD(IP_ADD_MEMBERSHIP);
#endif
#ifdef IP_ADD_SOURCE_MEMBERSHIP
  ADD(IP_ADD_SOURCE_MEMBERSHIP);
#endif
#ifdef IP_BIND_ADDRESS_NO_PORT
  ADD(IP_BIND_ADDRESS_NO_PORT);
#endif
#ifdef IP_BLOCK_SOURCE
  ADD(IP_BLOCK_SOURCE);
#endif
#ifdef IP_CHECKSUM
  ADD(IP_CHECKSUM);
#endif
#ifdef IP_DEFAULT_MULTICAST_LOOP
  ADD(IP_DEFAULT_MULTICAST_LOOP);
#endif
#ifdef IP_DEFAULT_MULTICAST_TTL
  ADD(IP_DEFAULT_MULTICAST_TTL);
#endif
#ifdef IP_DROP_MEMBERSHIP
  ADD(IP_DROP_MEMBERSHIP);
#endif
#ifdef IP_DROP_SOURCE_MEMBERSHIP
  ADD(IP_DROP_SOURCE_MEMBERSHIP);
#endif
#ifdef IP_FREEBIND
  ADD(IP_FREEBIND);
#endif
#ifdef IP_HDRINCL
  ADD(IP_HDRINCL);
#endif
#ifdef IP_IPSEC_POLICY
  ADD(IP_IPSEC_POLICY);
#endif
#ifdef IP_LOCAL_PORT_RANGE
  ADD(IP_LOCAL_PORT_RANGE);
#endif
#ifdef IP_MAX_MEMBERSHIPS
  ADD(IP_MAX_MEMBERSHIPS);
#endif
#ifdef IP_MINTTL
  ADD(IP_MINTTL);
#endif
#ifdef IP_MTU
  ADD(IP_MTU);
#endif
#ifdef IP_MTU_DISCOVER
  ADD(IP_MTU_DISCOVER);
#endif
#ifdef IP_MULTICAST_ALL
  ADD(IP_MULTICAST_ALL);
#endif
#ifdef IP_MULTICAST_IF
  ADD(IP_MULTICAST_IF);
#endif
#ifdef IP_MULTICAST_LOOP
  ADD(IP_MULTICAST_LOOP);
#endif
#ifdef IP_MULTICAST_TTL
  ADD(IP_MULTICAST_TTL);
#endif
#ifdef IP_NODEFRAG
  ADD(IP_NODEFRAG);
#endif
#ifdef IP_OPTIONS
  ADD(IP_OPTIONS);
#endif
#ifdef IP_ORIGDSTADDR
  ADD(IP_ORIGDSTADDR);
#endif
#ifdef IP_PASSSEC
  ADD(IP_PASSSEC);
#endif
#ifdef IP_PKTINFO
  ADD(IP_PKTINFO);
#endif
#ifdef IP_PKTOPTIONS
  ADD(IP_PKTOPTIONS);
#endif
#ifdef IP_PMTUDISC_DO
  ADD(IP_PMTUDISC_DO);
#endif
#ifdef IP_PMTUDISC_DONT
  ADD(IP_PMTUDISC_DONT);
#endif
#ifdef IP_PMTUDISC_PROBE
  ADD(IP_PMTUDISC_PROBE);
#endif
#ifdef IP_PMTUDISC_WANT
  ADD(IP_PMTUDISC_WANT);
#endif
#ifdef IP_RECVERR
  ADD(IP_RECVERR);
#endif
#ifdef IP_RECVFRAGSIZE
  ADD(IP_RECVFRAGSIZE);
#endif
#ifdef IP_RECVOPTS
  ADD(IP_RECVOPTS);
#endif
#ifdef IP_RECVORIGDSTADDR
  ADD(IP_RECVORIGDSTADDR);
#endif
#ifdef IP_RECVRETOPTS
  ADD(IP_RECVRETOPTS);
#endif
#ifdef IP_RECVTOS
  ADD(IP_RECVTOS);
#endif
#ifdef IP_RECVTTL
  ADD(IP_RECVTTL);
#endif
#ifdef IP_RETOPTS
  ADD(IP_RETOPTS);
#endif
#ifdef IP_ROUTER_ALERT
  ADD(IP_ROUTER_ALERT);
#endif
#ifdef IP_TOS
  ADD(IP_TOS);
#endif
#ifdef IP_TRANSPARENT
  ADD(IP_TRANSPARENT);
#endif
#ifdef IP_TTL
  ADD(IP_TTL);
#endif
#ifdef IP_UNBLOCK_SOURCE
  ADD(IP_UNBLOCK_SOURCE);
#endif
#ifdef IP_UNICAST_IF
  ADD(IP_UNICAST_IF);
#endif
#ifdef IP_XFRM_POLICY
  ADD(IP_XFRM_POLICY);
#endif
#if defined(J1939_EE_INFO_NONE) || (defined(BSDSOCK_HAVE_J1939))
  ADD(J1939_EE_INFO_NONE);
#endif
#if defined(J1939_EE_INFO_TX_ABORT) || (defined(BSDSOCK_HAVE_J1939))
  ADD(J1939_EE_INFO_TX_ABORT);
#endif
#ifdef J1939_FILTER_MAX
  ADD(J1939_FILTER_MAX);
#endif
#ifdef J1939_IDLE_ADDR
  ADD(J1939_IDLE_ADDR);
#endif
#ifdef J1939_MAX_UNICAST_ADDR
  ADD(J1939_MAX_UNICAST_ADDR);
#endif
#if defined(J1939_NLA_BYTES_ACKED) || (defined(BSDSOCK_HAVE_J1939))
  ADD(J1939_NLA_BYTES_ACKED);
#endif
#if defined(J1939_NLA_PAD) || (defined(BSDSOCK_HAVE_J1939))
  ADD(J1939_NLA_PAD);
#endif
#ifdef J1939_NO_ADDR
  ADD(J1939_NO_ADDR);
#endif
#ifdef J1939_NO_NAME
  ADD(J1939_NO_NAME);
#endif
#ifdef J1939_NO_PGN
  ADD(J1939_NO_PGN);
#endif
#ifdef J1939_PGN_ADDRESS_CLAIMED
  ADD(J1939_PGN_ADDRESS_CLAIMED);
#endif
#ifdef J1939_PGN_ADDRESS_COMMANDED
  ADD(J1939_PGN_ADDRESS_COMMANDED);
#endif
#ifdef J1939_PGN_MAX
  ADD(J1939_PGN_MAX);
#endif
#ifdef J1939_PGN_PDU1_MAX
  ADD(J1939_PGN_PDU1_MAX);
#endif
#ifdef J1939_PGN_REQUEST
  ADD(J1939_PGN_REQUEST);
#endif
#ifdef MSG_BATCH
  ADD(MSG_BATCH);
#endif
#ifdef MSG_CMSG_CLOEXEC
  ADD(MSG_CMSG_CLOEXEC);
#endif
#ifdef MSG_CONFIRM
  ADD(MSG_CONFIRM);
#endif
#ifdef MSG_CTRUNC
  ADD(MSG_CTRUNC);
#endif
#ifdef MSG_DONTROUTE
  ADD(MSG_DONTROUTE);
#endif
#ifdef MSG_DONTWAIT
  ADD(MSG_DONTWAIT);
#endif
#ifdef MSG_EOR
  ADD(MSG_EOR);
#endif
#ifdef MSG_ERRQUEUE
  ADD(MSG_ERRQUEUE);
#endif
#ifdef MSG_FASTOPEN
  ADD(MSG_FASTOPEN);
#endif
#ifdef MSG_FIN
  ADD(MSG_FIN);
#endif
#ifdef MSG_MORE
  ADD(MSG_MORE);
#endif
#ifdef MSG_NOSIGNAL
  ADD(MSG_NOSIGNAL);
#endif
#ifdef MSG_OOB
  ADD(MSG_OOB);
#endif
#ifdef MSG_PEEK
  ADD(MSG_PEEK);
#endif
#ifdef MSG_PROXY
  ADD(MSG_PROXY);
#endif
#ifdef MSG_RST
  ADD(MSG_RST);
#endif
#ifdef MSG_SOCK_DEVMEM
  ADD(MSG_SOCK_DEVMEM);
#endif
#ifdef MSG_SYN
  ADD(MSG_SYN);
#endif
#ifdef MSG_TRUNC
  ADD(MSG_TRUNC);
#endif
#ifdef MSG_WAITALL
  ADD(MSG_WAITALL);
#endif
#ifdef MSG_WAITFORONE
  ADD(MSG_WAITFORONE);
#endif
#ifdef MSG_ZEROCOPY
  ADD(MSG_ZEROCOPY);
#endif
#ifdef NETLINK_ADD_MEMBERSHIP
  ADD(NETLINK_ADD_MEMBERSHIP);
#endif
#ifdef NETLINK_AUDIT
  ADD(NETLINK_AUDIT);
#endif
#ifdef NETLINK_BROADCAST_ERROR
  ADD(NETLINK_BROADCAST_ERROR);
#endif
#ifdef NETLINK_CAP_ACK
  ADD(NETLINK_CAP_ACK);
#endif
#ifdef NETLINK_CONNECTOR
  ADD(NETLINK_CONNECTOR);
#endif
#ifdef NETLINK_CRYPTO
  ADD(NETLINK_CRYPTO);
#endif
#ifdef NETLINK_DNRTMSG
  ADD(NETLINK_DNRTMSG);
#endif
#ifdef NETLINK_DROP_MEMBERSHIP
  ADD(NETLINK_DROP_MEMBERSHIP);
#endif
#ifdef NETLINK_ECRYPTFS
  ADD(NETLINK_ECRYPTFS);
#endif
#ifdef NETLINK_EXT_ACK
  ADD(NETLINK_EXT_ACK);
#endif
#ifdef NETLINK_FIB_LOOKUP
  ADD(NETLINK_FIB_LOOKUP);
#endif
#ifdef NETLINK_FIREWALL
  ADD(NETLINK_FIREWALL);
#endif
#ifdef NETLINK_GENERIC
  ADD(NETLINK_GENERIC);
#endif
#ifdef NETLINK_GET_STRICT_CHK
  ADD(NETLINK_GET_STRICT_CHK);
#endif
#ifdef NETLINK_INET_DIAG
  ADD(NETLINK_INET_DIAG);
#endif
#ifdef NETLINK_IP6_FW
  ADD(NETLINK_IP6_FW);
#endif
#ifdef NETLINK_ISCSI
  ADD(NETLINK_ISCSI);
#endif
#ifdef NETLINK_KOBJECT_UEVENT
  ADD(NETLINK_KOBJECT_UEVENT);
#endif
#ifdef NETLINK_LISTEN_ALL_NSID
  ADD(NETLINK_LISTEN_ALL_NSID);
#endif
#ifdef NETLINK_NETFILTER
  ADD(NETLINK_NETFILTER);
#endif
#ifdef NETLINK_NFLOG
  ADD(NETLINK_NFLOG);
#endif
#ifdef NETLINK_NO_ENOBUFS
  ADD(NETLINK_NO_ENOBUFS);
#endif
#ifdef NETLINK_PKTINFO
  ADD(NETLINK_PKTINFO);
#endif
#ifdef NETLINK_RDMA
  ADD(NETLINK_RDMA);
#endif
#ifdef NETLINK_ROUTE
  ADD(NETLINK_ROUTE);
#endif
#ifdef NETLINK_SCSITRANSPORT
  ADD(NETLINK_SCSITRANSPORT);
#endif
#ifdef NETLINK_SELINUX
  ADD(NETLINK_SELINUX);
#endif
#ifdef NETLINK_SOCK_DIAG
  ADD(NETLINK_SOCK_DIAG);
#endif
#ifdef NETLINK_USERSOCK
  ADD(NETLINK_USERSOCK);
#endif
#ifdef NETLINK_XFRM
  ADD(NETLINK_XFRM);
#endif
#ifdef NI_DGRAM
  ADD(NI_DGRAM);
#endif
#ifdef NI_IDN
  ADD(NI_IDN);
#endif
#ifdef NI_MAXHOST
  ADD(NI_MAXHOST);
#endif
#ifdef NI_MAXSERV
  ADD(NI_MAXSERV);
#endif
#ifdef NI_NAMEREQD
  ADD(NI_NAMEREQD);
#endif
#ifdef NI_NOFQDN
  ADD(NI_NOFQDN);
#endif
#ifdef NI_NUMERICHOST
  ADD(NI_NUMERICHOST);
#endif
#ifdef NI_NUMERICSERV
  ADD(NI_NUMERICSERV);
#endif
#ifdef PACKET_ADD_MEMBERSHIP
  ADD(PACKET_ADD_MEMBERSHIP);
#endif
#ifdef PACKET_AUXDATA
  ADD(PACKET_AUXDATA);
#endif
#ifdef PACKET_BROADCAST
  ADD(PACKET_BROADCAST);
#endif
#ifdef PACKET_COPY_THRESH
  ADD(PACKET_COPY_THRESH);
#endif
#ifdef PACKET_DROP_MEMBERSHIP
  ADD(PACKET_DROP_MEMBERSHIP);
#endif
#ifdef PACKET_FANOUT
  ADD(PACKET_FANOUT);
#endif
#ifdef PACKET_FANOUT_CBPF
  ADD(PACKET_FANOUT_CBPF);
#endif
#ifdef PACKET_FANOUT_CPU
  ADD(PACKET_FANOUT_CPU);
#endif
#ifdef PACKET_FANOUT_DATA
  ADD(PACKET_FANOUT_DATA);
#endif
#ifdef PACKET_FANOUT_EBPF
  ADD(PACKET_FANOUT_EBPF);
#endif
#ifdef PACKET_FANOUT_FLAG_DEFRAG
  ADD(PACKET_FANOUT_FLAG_DEFRAG);
#endif
#ifdef PACKET_FANOUT_FLAG_ROLLOVER
  ADD(PACKET_FANOUT_FLAG_ROLLOVER);
#endif
#ifdef PACKET_FANOUT_FLAG_UNIQUEID
  ADD(PACKET_FANOUT_FLAG_UNIQUEID);
#endif
#ifdef PACKET_FANOUT_HASH
  ADD(PACKET_FANOUT_HASH);
#endif
#ifdef PACKET_FANOUT_LB
  ADD(PACKET_FANOUT_LB);
#endif
#ifdef PACKET_FANOUT_QM
  ADD(PACKET_FANOUT_QM);
#endif
#ifdef PACKET_FANOUT_RND
  ADD(PACKET_FANOUT_RND);
#endif
#ifdef PACKET_FANOUT_ROLLOVER
  ADD(PACKET_FANOUT_ROLLOVER);
#endif
#ifdef PACKET_FASTROUTE
  ADD(PACKET_FASTROUTE);
#endif
#ifdef PACKET_HDRLEN
  ADD(PACKET_HDRLEN);
#endif
#ifdef PACKET_HOST
  ADD(PACKET_HOST);
#endif
#ifdef PACKET_IGNORE_OUTGOING
  ADD(PACKET_IGNORE_OUTGOING);
#endif
#ifdef PACKET_KERNEL
  ADD(PACKET_KERNEL);
#endif
#ifdef PACKET_LOOPBACK
  ADD(PACKET_LOOPBACK);
#endif
#ifdef PACKET_LOSS
  ADD(PACKET_LOSS);
#endif
#ifdef PACKET_MR_ALLMULTI
  ADD(PACKET_MR_ALLMULTI);
#endif
#ifdef PACKET_MR_MULTICAST
  ADD(PACKET_MR_MULTICAST);
#endif
#ifdef PACKET_MR_PROMISC
  ADD(PACKET_MR_PROMISC);
#endif
#ifdef PACKET_MR_UNICAST
  ADD(PACKET_MR_UNICAST);
#endif
#ifdef PACKET_MULTICAST
  ADD(PACKET_MULTICAST);
#endif
#ifdef PACKET_ORIGDEV
  ADD(PACKET_ORIGDEV);
#endif
#ifdef PACKET_OTHERHOST
  ADD(PACKET_OTHERHOST);
#endif
#ifdef PACKET_OUTGOING
  ADD(PACKET_OUTGOING);
#endif
#ifdef PACKET_QDISC_BYPASS
  ADD(PACKET_QDISC_BYPASS);
#endif
#ifdef PACKET_RECV_OUTPUT
  ADD(PACKET_RECV_OUTPUT);
#endif
#ifdef PACKET_RESERVE
  ADD(PACKET_RESERVE);
#endif
#ifdef PACKET_ROLLOVER_STATS
  ADD(PACKET_ROLLOVER_STATS);
#endif
#ifdef PACKET_RX_RING
  ADD(PACKET_RX_RING);
#endif
#ifdef PACKET_STATISTICS
  ADD(PACKET_STATISTICS);
#endif
#ifdef PACKET_TIMESTAMP
  ADD(PACKET_TIMESTAMP);
#endif
#ifdef PACKET_TX_HAS_OFF
  ADD(PACKET_TX_HAS_OFF);
#endif
#ifdef PACKET_TX_RING
  ADD(PACKET_TX_RING);
#endif
#ifdef PACKET_TX_TIMESTAMP
  ADD(PACKET_TX_TIMESTAMP);
#endif
#ifdef PACKET_USER
  ADD(PACKET_USER);
#endif
#ifdef PACKET_VERSION
  ADD(PACKET_VERSION);
#endif
#ifdef PACKET_VNET_HDR
  ADD(PACKET_VNET_HDR);
#endif
#ifdef PF_CAN
  ADD(PF_CAN);
#endif
#ifdef PF_PACKET
  ADD(PF_PACKET);
#endif
#ifdef PF_RDS
  ADD(PF_RDS);
#endif
#ifdef SCM_CREDENTIALS
  ADD(SCM_CREDENTIALS);
#endif
#if defined(SCM_J1939_DEST_ADDR) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SCM_J1939_DEST_ADDR);
#endif
#if defined(SCM_J1939_DEST_NAME) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SCM_J1939_DEST_NAME);
#endif
#if defined(SCM_J1939_ERRQUEUE) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SCM_J1939_ERRQUEUE);
#endif
#if defined(SCM_J1939_PRIO) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SCM_J1939_PRIO);
#endif
#ifdef SCM_PIDFD
  ADD(SCM_PIDFD);
#endif
#ifdef SCM_RIGHTS
  ADD(SCM_RIGHTS);
#endif
#ifdef SCM_SECURITY
  ADD(SCM_SECURITY);
#endif
#ifdef SCM_TIMESTAMP
  ADD(SCM_TIMESTAMP);
#endif
#ifdef SCM_TIMESTAMPING
  ADD(SCM_TIMESTAMPING);
#endif
#ifdef SCM_TIMESTAMPNS
  ADD(SCM_TIMESTAMPNS);
#endif
#ifdef SHUT_RD
  ADD(SHUT_RD);
#endif
#ifdef SHUT_RDWR
  ADD(SHUT_RDWR);
#endif
#ifdef SHUT_WR
  ADD(SHUT_WR);
#endif
#ifdef SOCK_CLOEXEC
  ADD(SOCK_CLOEXEC);
#endif
#ifdef SOCK_DGRAM
  ADD(SOCK_DGRAM);
#endif
#ifdef SOCK_NONBLOCK
  ADD(SOCK_NONBLOCK);
#endif
#ifdef SOCK_RAW
  ADD(SOCK_RAW);
#endif
#ifdef SOCK_RDM
  ADD(SOCK_RDM);
#endif
#ifdef SOCK_SEQPACKET
  ADD(SOCK_SEQPACKET);
#endif
#ifdef SOCK_STREAM
  ADD(SOCK_STREAM);
#endif
#ifdef SOL_ALG
  ADD(SOL_ALG);
#endif
#ifdef SOL_CAN_BASE
  ADD(SOL_CAN_BASE);
#endif
#ifdef SOL_CAN_RAW
  ADD(SOL_CAN_RAW);
#endif
#ifdef SOL_ICMPV6
  ADD(SOL_ICMPV6);
#endif
#ifdef SOL_IP
  ADD(SOL_IP);
#endif
#ifdef SOL_IPV6
  ADD(SOL_IPV6);
#endif
#ifdef SOL_NETLINK
  ADD(SOL_NETLINK);
#endif
#ifdef SOL_PACKET
  ADD(SOL_PACKET);
#endif
#ifdef SOL_RAW
  ADD(SOL_RAW);
#endif
#ifdef SOL_RDS
  ADD(SOL_RDS);
#endif
#ifdef SOL_SOCKET
  ADD(SOL_SOCKET);
#endif
#ifdef SOL_TCP
  ADD(SOL_TCP);
#endif
#ifdef SOL_TIPC
  ADD(SOL_TIPC);
#endif
#ifdef SOL_UDP
  ADD(SOL_UDP);
#endif
#ifdef SOMAXCONN
  ADD(SOMAXCONN);
#endif
#ifdef SO_ACCEPTCONN
  ADD(SO_ACCEPTCONN);
#endif
#ifdef SO_ATTACH_FILTER
  ADD(SO_ATTACH_FILTER);
#endif
#ifdef SO_BINDTODEVICE
  ADD(SO_BINDTODEVICE);
#endif
#ifdef SO_BINDTOIFINDEX
  ADD(SO_BINDTOIFINDEX);
#endif
#ifdef SO_BROADCAST
  ADD(SO_BROADCAST);
#endif
#ifdef SO_BUSY_POLL
  ADD(SO_BUSY_POLL);
#endif
#ifdef SO_COOKIE
  ADD(SO_COOKIE);
#endif
#ifdef SO_DEBUG
  ADD(SO_DEBUG);
#endif
#ifdef SO_DETACH_FILTER
  ADD(SO_DETACH_FILTER);
#endif
#ifdef SO_DOMAIN
  ADD(SO_DOMAIN);
#endif
#ifdef SO_DONTROUTE
  ADD(SO_DONTROUTE);
#endif
#ifdef SO_ERROR
  ADD(SO_ERROR);
#endif
#ifdef SO_INCOMING_CPU
  ADD(SO_INCOMING_CPU);
#endif
#ifdef SO_INCOMING_NAPI_ID
  ADD(SO_INCOMING_NAPI_ID);
#endif
#if defined(SO_J1939_ERRQUEUE) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SO_J1939_ERRQUEUE);
#endif
#if defined(SO_J1939_FILTER) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SO_J1939_FILTER);
#endif
#if defined(SO_J1939_PROMISC) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SO_J1939_PROMISC);
#endif
#if defined(SO_J1939_SEND_PRIO) || (defined(BSDSOCK_HAVE_J1939))
  ADD(SO_J1939_SEND_PRIO);
#endif
#ifdef SO_KEEPALIVE
  ADD(SO_KEEPALIVE);
#endif
#ifdef SO_LINGER
  ADD(SO_LINGER);
#endif
#ifdef SO_LOCK_FILTER
  ADD(SO_LOCK_FILTER);
#endif
#ifdef SO_MARK
  ADD(SO_MARK);
#endif
#ifdef SO_MAX_PACING_RATE
  ADD(SO_MAX_PACING_RATE);
#endif
#ifdef SO_NETNS_COOKIE
  ADD(SO_NETNS_COOKIE);
#endif
#ifdef SO_NOFCS
  ADD(SO_NOFCS);
#endif
#ifdef SO_OOBINLINE
  ADD(SO_OOBINLINE);
#endif
#ifdef SO_ORIGINAL_DST
  ADD(SO_ORIGINAL_DST);
#endif
#ifdef SO_PASSCRED
  ADD(SO_PASSCRED);
#endif
#ifdef SO_PASSPIDFD
  ADD(SO_PASSPIDFD);
#endif
#ifdef SO_PASSSEC
  ADD(SO_PASSSEC);
#endif
#ifdef SO_PEEK_OFF
  ADD(SO_PEEK_OFF);
#endif
#ifdef SO_PEERCRED
  ADD(SO_PEERCRED);
#endif
#ifdef SO_PEERGROUPS
  ADD(SO_PEERGROUPS);
#endif
#ifdef SO_PEERPIDFD
  ADD(SO_PEERPIDFD);
#endif
#ifdef SO_PEERSEC
  ADD(SO_PEERSEC);
#endif
#ifdef SO_PRIORITY
  ADD(SO_PRIORITY);
#endif
#ifdef SO_PROTOCOL
  ADD(SO_PROTOCOL);
#endif
#ifdef SO_RCVBUF
  ADD(SO_RCVBUF);
#endif
#ifdef SO_RCVBUFFORCE
  ADD(SO_RCVBUFFORCE);
#endif
#ifdef SO_RCVLOWAT
  ADD(SO_RCVLOWAT);
#endif
#ifdef SO_RCVMARK
  ADD(SO_RCVMARK);
#endif
#ifdef SO_RCVTIMEO
  ADD(SO_RCVTIMEO);
#endif
#ifdef SO_REUSEADDR
  ADD(SO_REUSEADDR);
#endif
#ifdef SO_REUSEPORT
  ADD(SO_REUSEPORT);
#endif
#ifdef SO_RXQ_OVFL
  ADD(SO_RXQ_OVFL);
#endif
#ifdef SO_SELECT_ERR_QUEUE
  ADD(SO_SELECT_ERR_QUEUE);
#endif
#ifdef SO_SNDBUF
  ADD(SO_SNDBUF);
#endif
#ifdef SO_SNDBUFFORCE
  ADD(SO_SNDBUFFORCE);
#endif
#ifdef SO_SNDLOWAT
  ADD(SO_SNDLOWAT);
#endif
#ifdef SO_SNDTIMEO
  ADD(SO_SNDTIMEO);
#endif
#ifdef SO_TIMESTAMP
  ADD(SO_TIMESTAMP);
#endif
#ifdef SO_TIMESTAMPING
  ADD(SO_TIMESTAMPING);
#endif
#ifdef SO_TIMESTAMPNS
  ADD(SO_TIMESTAMPNS);
#endif
#ifdef SO_TXREHASH
  ADD(SO_TXREHASH);
#endif
#ifdef SO_TXTIME
  ADD(SO_TXTIME);
#endif
#ifdef SO_TYPE
  ADD(SO_TYPE);
#endif
#ifdef SO_VM_SOCKETS_BUFFER_MAX_SIZE
  ADD(SO_VM_SOCKETS_BUFFER_MAX_SIZE);
#endif
#ifdef SO_VM_SOCKETS_BUFFER_MIN_SIZE
  ADD(SO_VM_SOCKETS_BUFFER_MIN_SIZE);
#endif
#ifdef SO_VM_SOCKETS_BUFFER_SIZE
  ADD(SO_VM_SOCKETS_BUFFER_SIZE);
#endif
#ifdef SO_WIFI_STATUS
  ADD(SO_WIFI_STATUS);
#endif
#ifdef SO_ZEROCOPY
  ADD(SO_ZEROCOPY);
#endif
#ifdef TCP_CC_INFO
  ADD(TCP_CC_INFO);
#endif
#ifdef TCP_CONGESTION
  ADD(TCP_CONGESTION);
#endif
#ifdef TCP_CORK
  ADD(TCP_CORK);
#endif
#ifdef TCP_DEFER_ACCEPT
  ADD(TCP_DEFER_ACCEPT);
#endif
#ifdef TCP_FASTOPEN
  ADD(TCP_FASTOPEN);
#endif
#ifdef TCP_FASTOPEN_CONNECT
  ADD(TCP_FASTOPEN_CONNECT);
#endif
#ifdef TCP_FASTOPEN_KEY
  ADD(TCP_FASTOPEN_KEY);
#endif
#ifdef TCP_FASTOPEN_NO_COOKIE
  ADD(TCP_FASTOPEN_NO_COOKIE);
#endif
#ifdef TCP_INFO
  ADD(TCP_INFO);
#endif
#ifdef TCP_INQ
  ADD(TCP_INQ);
#endif
#ifdef TCP_KEEPALIVE
  ADD(TCP_KEEPALIVE);
#endif
#ifdef TCP_KEEPCNT
  ADD(TCP_KEEPCNT);
#endif
#ifdef TCP_KEEPIDLE
  ADD(TCP_KEEPIDLE);
#endif
#ifdef TCP_KEEPINTVL
  ADD(TCP_KEEPINTVL);
#endif
#ifdef TCP_LINGER2
  ADD(TCP_LINGER2);
#endif
#ifdef TCP_MAXSEG
  ADD(TCP_MAXSEG);
#endif
#ifdef TCP_MD5SIG
  ADD(TCP_MD5SIG);
#endif
#ifdef TCP_MD5SIG_EXT
  ADD(TCP_MD5SIG_EXT);
#endif
#ifdef TCP_NODELAY
  ADD(TCP_NODELAY);
#endif
#ifdef TCP_NOTSENT_LOWAT
  ADD(TCP_NOTSENT_LOWAT);
#endif
#ifdef TCP_QUEUE_SEQ
  ADD(TCP_QUEUE_SEQ);
#endif
#ifdef TCP_QUICKACK
  ADD(TCP_QUICKACK);
#endif
#ifdef TCP_REPAIR
  ADD(TCP_REPAIR);
#endif
#ifdef TCP_REPAIR_OPTIONS
  ADD(TCP_REPAIR_OPTIONS);
#endif
#ifdef TCP_REPAIR_QUEUE
  ADD(TCP_REPAIR_QUEUE);
#endif
#ifdef TCP_REPAIR_WINDOW
  ADD(TCP_REPAIR_WINDOW);
#endif
#ifdef TCP_SAVED_SYN
  ADD(TCP_SAVED_SYN);
#endif
#ifdef TCP_SAVE_SYN
  ADD(TCP_SAVE_SYN);
#endif
#ifdef TCP_SYNCNT
  ADD(TCP_SYNCNT);
#endif
#ifdef TCP_THIN_DUPACK
  ADD(TCP_THIN_DUPACK);
#endif
#ifdef TCP_THIN_LINEAR_TIMEOUTS
  ADD(TCP_THIN_LINEAR_TIMEOUTS);
#endif
#ifdef TCP_TIMESTAMP
  ADD(TCP_TIMESTAMP);
#endif
#ifdef TCP_TX_DELAY
  ADD(TCP_TX_DELAY);
#endif
#ifdef TCP_ULP
  ADD(TCP_ULP);
#endif
#ifdef TCP_USER_TIMEOUT
  ADD(TCP_USER_TIMEOUT);
#endif
#ifdef TCP_WINDOW_CLAMP
  ADD(TCP_WINDOW_CLAMP);
#endif
#ifdef TCP_ZEROCOPY_RECEIVE
  ADD(TCP_ZEROCOPY_RECEIVE);
#endif
#ifdef TIPC_ADDR_ID
  ADD(TIPC_ADDR_ID);
#endif
#ifdef TIPC_ADDR_NAME
  ADD(TIPC_ADDR_NAME);
#endif
#ifdef TIPC_ADDR_NAMESEQ
  ADD(TIPC_ADDR_NAMESEQ);
#endif
#ifdef TIPC_CFG_SRV
  ADD(TIPC_CFG_SRV);
#endif
#if defined(TIPC_CLUSTER_SCOPE) || (defined(TIPC_ZONE_SCOPE))
  ADD(TIPC_CLUSTER_SCOPE);
#endif
#ifdef TIPC_CONN_TIMEOUT
  ADD(TIPC_CONN_TIMEOUT);
#endif
#ifdef TIPC_CRITICAL_IMPORTANCE
  ADD(TIPC_CRITICAL_IMPORTANCE);
#endif
#ifdef TIPC_DEST_DROPPABLE
  ADD(TIPC_DEST_DROPPABLE);
#endif
#ifdef TIPC_HIGH_IMPORTANCE
  ADD(TIPC_HIGH_IMPORTANCE);
#endif
#ifdef TIPC_IMPORTANCE
  ADD(TIPC_IMPORTANCE);
#endif
#ifdef TIPC_LOW_IMPORTANCE
  ADD(TIPC_LOW_IMPORTANCE);
#endif
#ifdef TIPC_MEDIUM_IMPORTANCE
  ADD(TIPC_MEDIUM_IMPORTANCE);
#endif
#if defined(TIPC_NODE_SCOPE) || (defined(TIPC_ZONE_SCOPE))
  ADD(TIPC_NODE_SCOPE);
#endif
#ifdef TIPC_PUBLISHED
  ADD(TIPC_PUBLISHED);
#endif
#ifdef TIPC_SRC_DROPPABLE
  ADD(TIPC_SRC_DROPPABLE);
#endif
#ifdef TIPC_SUBSCR_TIMEOUT
  ADD(TIPC_SUBSCR_TIMEOUT);
#endif
#ifdef TIPC_SUB_CANCEL
  ADD(TIPC_SUB_CANCEL);
#endif
#ifdef TIPC_SUB_PORTS
  ADD(TIPC_SUB_PORTS);
#endif
#ifdef TIPC_SUB_SERVICE
  ADD(TIPC_SUB_SERVICE);
#endif
#ifdef TIPC_TOP_SRV
  ADD(TIPC_TOP_SRV);
#endif
#ifdef TIPC_WAIT_FOREVER
  ADD(TIPC_WAIT_FOREVER);
#endif
#ifdef TIPC_WITHDRAWN
  ADD(TIPC_WITHDRAWN);
#endif
#ifdef TIPC_ZONE_SCOPE
  ADD(TIPC_ZONE_SCOPE);
#endif
#ifdef UDPLITE_RECV_CSCOV
  ADD(UDPLITE_RECV_CSCOV);
#elif defined(IPPROTO_UDPLITE)
  ADDV("UDPLITE_RECV_CSCOV", 11);
#endif
#ifdef UDPLITE_SEND_CSCOV
  ADD(UDPLITE_SEND_CSCOV);
#elif defined(IPPROTO_UDPLITE)
  ADDV("UDPLITE_SEND_CSCOV", 10);
#endif
#ifdef UDP_CORK
  ADD(UDP_CORK);
#endif
#ifdef UDP_ENCAP
  ADD(UDP_ENCAP);
#endif
#ifdef UDP_GRO
  ADD(UDP_GRO);
#endif
#ifdef UDP_NO_CHECK6_RX
  ADD(UDP_NO_CHECK6_RX);
#endif
#ifdef UDP_NO_CHECK6_TX
  ADD(UDP_NO_CHECK6_TX);
#endif
#ifdef UDP_SEGMENT
  ADD(UDP_SEGMENT);
#endif
#ifdef VMADDR_CID_ANY
  ADD(VMADDR_CID_ANY);
#endif
#ifdef VMADDR_CID_HOST
  ADD(VMADDR_CID_HOST);
#endif
#ifdef VMADDR_PORT_ANY
  ADD(VMADDR_PORT_ANY);
#endif
#ifdef VM_SOCKETS_INVALID_VERSION
  ADD(VM_SOCKETS_INVALID_VERSION);
#endif
#undef ADD
#undef ADDV
  exports.Set("constants", c);
}

}  // namespace bsdsock
