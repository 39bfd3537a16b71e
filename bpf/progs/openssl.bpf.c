/* OpenSSL (1.1 and 3.x, shared libssl or linked into the executable, as in
 * Node): the plaintext of SSL_read, SSL_read_ex, SSL_write and SSL_write_ex,
 * at their entry and return. The loader attaches these per library file
 * (once per inode, for every process: the pid filter is in tls_call_enter).
 *   int SSL_read(SSL *ssl, void *buf, int num);
 *   int SSL_read_ex(SSL *ssl, void *buf, size_t num, size_t *readbytes);
 *   int SSL_write(SSL *ssl, const void *buf, int num);
 *   int SSL_write_ex(SSL *ssl, const void *buf, size_t num, size_t *written);
 * All return an int: only the low 32 bits of the return register are the value
 * (Node's SSL_read returns -1 with the upper half zero: 4294967295 as a long). */
#include "../tls.bpf.h"

SEC("uprobe")
int BPF_KPROBE(hg_ssl_read_enter, void *ssl, void *buf) {
  return tls_call_enter((__u64)ssl, (__u64)buf, 0, HG_INGRESS);
}

SEC("uretprobe")
int BPF_KRETPROBE(hg_ssl_read_return, int ret) { return tls_call_return(ret, false); }

SEC("uprobe")
int BPF_KPROBE(hg_ssl_read_ex_enter, void *ssl, void *buf, __u64 num, void *readbytes) {
  return tls_call_enter((__u64)ssl, (__u64)buf, (__u64)readbytes, HG_INGRESS);
}

SEC("uretprobe")
int BPF_KRETPROBE(hg_ssl_read_ex_return, int ret) { return tls_call_return(ret, true); }

SEC("uprobe")
int BPF_KPROBE(hg_ssl_write_enter, void *ssl, void *buf) {
  return tls_call_enter((__u64)ssl, (__u64)buf, 0, HG_EGRESS);
}

SEC("uretprobe")
int BPF_KRETPROBE(hg_ssl_write_return, int ret) { return tls_call_return(ret, false); }

SEC("uprobe")
int BPF_KPROBE(hg_ssl_write_ex_enter, void *ssl, void *buf, __u64 num, void *written) {
  return tls_call_enter((__u64)ssl, (__u64)buf, (__u64)written, HG_EGRESS);
}

SEC("uretprobe")
int BPF_KRETPROBE(hg_ssl_write_ex_return, int ret) { return tls_call_return(ret, true); }
