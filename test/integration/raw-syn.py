# Test helper of network.test.ts (run as root inside the test's "outside" namespace).
# Sends a TCP SYN to 127.0.0.1:PORT out of IFACE in an Ethernet frame addressed to
# DSTMAC (the host's uplink), as a LAN machine could; prints "synack" if a SYN-ACK
# comes back within 2 s, else "none".
import socket, struct, sys, time, random
iface, dstmac, srcip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((iface, 0))
srcmac = s.getsockname()[4]
def csum(b):
    if len(b) % 2: b += b'\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
sport = random.randint(20000, 60000)
src = socket.inet_aton(srcip); dst = socket.inet_aton('127.0.0.1')
tcp = struct.pack('!HHIIBBHHH', sport, port, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
ph = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
eth = bytes.fromhex(dstmac.replace(':', '')) + srcmac + b'\x08\x00'
s.send(eth + ip + tcp)
s.settimeout(0.2)
end = time.time() + 2
while time.time() < end:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) < 54 or f[23] != 6: continue
    ihl = (f[14] & 15) * 4
    sp, dp = struct.unpack('!HH', f[14 + ihl:14 + ihl + 4])
    flags = f[14 + ihl + 13]
    if dp == sport and (flags & 0x12) == 0x12:
        print('synack'); sys.exit(0)
print('none')
