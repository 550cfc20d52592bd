// Host-side networking for the engine: bridges (create, delete, list) over
// NETLINK_ROUTE and published-port map elements over NETLINK_NETFILTER, in
// the caller's network namespace. The same C code (common/) is compiled into
// the monitor, which does the per-container part; the engine uses these for
// `network create/rm` and gc. Synchronous: each call is a few microseconds of
// kernel work inside one sendmsg().
#include <arpa/inet.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdlib>

#include <cerrno>
#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"

extern "C" {
#include "../common/netlink.h"
#include "../common/nft.h"
#include "../common/rtnl.h"
}

namespace hutch {

namespace {

// A netlink socket closed on every path out of the binding.
struct Sock {
  int fd;
  explicit Sock(Napi::Env env, int proto, const char* what) : fd(proto == NETLINK_NETFILTER ? nft_open() : nl_open(proto)) {
    if (fd < 0) throw ErrnoError(env, errno, "socket", what);
  }
  ~Sock() {
    if (fd >= 0) close(fd);
  }
  Sock(const Sock&) = delete;
  Sock& operator=(const Sock&) = delete;
};

std::string IfName(const Napi::CallbackInfo& info, size_t i) {
  std::string n = StringArg(info, i, "name");
  if (n.empty() || n.size() >= IFNAMSIZ || n.find('/') != std::string::npos)
    throw ErrnoError(info.Env(), EINVAL, "ifname", n.c_str());
  return n;
}

}  // namespace

// linkExists(name): boolean
static Napi::Value LinkExists(const Napi::CallbackInfo& info) {
  std::string name = IfName(info, 0);
  Sock s(info.Env(), NETLINK_ROUTE, "netlink route");
  if (rtnl_link_index(s.fd, name.c_str()) >= 0) return Napi::Boolean::New(info.Env(), true);
  if (errno == ENODEV) return Napi::Boolean::New(info.Env(), false);
  throw ErrnoError(info.Env(), errno, "RTM_GETLINK", name.c_str());
}

// createBridge(name, addressCidr, mtu?): a bridge, up, with the address
// (the network's gateway). EEXIST when the name is taken. A failure after the
// bridge was made deletes it again.
static Napi::Value CreateBridge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = IfName(info, 0);
  std::string cidr = StringArg(info, 1, "addressCidr");
  unsigned mtu = 0;
  if (!info[2].IsUndefined() && !info[2].IsNull()) mtu = static_cast<unsigned>(IntArg(info, 2, "mtu", 68, 65535));
  uint32_t ip;
  int prefix;
  if (parse_cidr4(cidr.c_str(), &ip, &prefix) < 0) throw ErrnoError(env, EINVAL, "address", cidr.c_str());
  Sock s(env, NETLINK_ROUTE, "netlink route");
  if (rtnl_bridge_create(s.fd, name.c_str(), mtu) < 0) throw ErrnoError(env, errno, "RTM_NEWLINK", name.c_str());
  const char* step = "RTM_GETLINK";
  int idx = rtnl_link_index(s.fd, name.c_str());
  if (idx >= 0) {
    step = "RTM_NEWADDR";
    if (rtnl_addr_add(s.fd, idx, ip, prefix) == 0) {
      step = "RTM_NEWLINK";
      if (rtnl_link_up(s.fd, idx) == 0) return env.Undefined();
    }
  }
  int e = errno;
  rtnl_link_del(s.fd, name.c_str());
  throw ErrnoError(env, e, step, name.c_str());
}

// deleteLink(name): ENODEV when there is no such link.
static Napi::Value DeleteLink(const Napi::CallbackInfo& info) {
  std::string name = IfName(info, 0);
  Sock s(info.Env(), NETLINK_ROUTE, "netlink route");
  if (rtnl_link_del(s.fd, name.c_str()) < 0) throw ErrnoError(info.Env(), errno, "RTM_DELLINK", name.c_str());
  return info.Env().Undefined();
}

// listLinks(prefix): names of the namespace's links that start with prefix.
static Napi::Value ListLinks(const Napi::CallbackInfo& info) {
  std::string prefix = StringArg(info, 0, "prefix");
  Sock s(info.Env(), NETLINK_ROUTE, "netlink route");
  struct Acc {
    const std::string* prefix;
    std::vector<std::string> names;
  } acc{&prefix, {}};
  auto each = [](const char* name, void* arg) {
    auto* a = static_cast<Acc*>(arg);
    if (std::string(name).compare(0, a->prefix->size(), *a->prefix) == 0) a->names.emplace_back(name);
  };
  if (rtnl_links(s.fd, each, &acc) < 0) throw ErrnoError(info.Env(), errno, "RTM_GETLINK", nullptr);
  Napi::Array out = Napi::Array::New(info.Env(), acc.names.size());
  for (size_t i = 0; i < acc.names.size(); i++) out.Set(static_cast<uint32_t>(i), acc.names[i]);
  return out;
}

// nftTableExists(table): family ip.
static Napi::Value NftTableExists(const Napi::CallbackInfo& info) {
  std::string table = StringArg(info, 0, "table");
  Sock s(info.Env(), NETLINK_NETFILTER, "netlink netfilter");
  int r = nft_table_exists(s.fd, table.c_str());
  if (r < 0) throw ErrnoError(info.Env(), errno, "NFT_MSG_GETTABLE", table.c_str());
  return Napi::Boolean::New(info.Env(), r == 1);
}

// nftDeletePorts(table, ports, containerAddress): removes the elements of
// `ports` (the run.hutch.ports syntax) that still map to containerAddress
// (an element another container has taken over stays). Missing elements, a
// missing map or table: not an error (gc after a monitor was killed).
static Napi::Value NftDeletePorts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string table = StringArg(info, 0, "table");
  std::string ports = StringArg(info, 1, "ports");
  std::string addr = StringArg(info, 2, "containerAddress");
  uint32_t ip;
  if (inet_pton(AF_INET, addr.c_str(), &ip) != 1) throw ErrnoError(env, EINVAL, "address", addr.c_str());
  struct pubport* p = nullptr;
  size_t n = 0, bad = 0;
  if (pubports_parse(ports.c_str(), &p, &n, &bad) < 0) throw ErrnoError(env, errno, "ports", ports.c_str() + bad);
  Sock s(env, NETLINK_NETFILTER, "netlink netfilter");
  int r = nft_ports_del(s.fd, table.c_str(), p, n, ip, true);
  int e = errno;
  free(p);
  if (r < 0) throw ErrnoError(env, e, "NFT_MSG_DELSETELEM", table.c_str());
  return env.Undefined();
}

void InitNet(Napi::Env env, Napi::Object exports) {
  exports.Set("linkExists", Napi::Function::New(env, LinkExists, "linkExists"));
  exports.Set("createBridge", Napi::Function::New(env, CreateBridge, "createBridge"));
  exports.Set("deleteLink", Napi::Function::New(env, DeleteLink, "deleteLink"));
  exports.Set("listLinks", Napi::Function::New(env, ListLinks, "listLinks"));
  exports.Set("nftTableExists", Napi::Function::New(env, NftTableExists, "nftTableExists"));
  exports.Set("nftDeletePorts", Napi::Function::New(env, NftDeletePorts, "nftDeletePorts"));
}

}  // namespace hutch
