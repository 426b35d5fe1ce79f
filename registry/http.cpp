#include "registry/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <variant>

#include "base/errors.h"
#include "registry/ca_bundle.h"
#include "registry/curl_handles.h"
#include "registry/origin.h"
#include "registry/transfer.h"
#include "registry/url.h"

#if __has_include("dct_version.h")
#include "dct_version.h"
#endif
#ifndef DCT_VERSION
#define DCT_VERSION "dev"
#endif

namespace dct::registry {

std::string_view method_name(Method m) noexcept {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::delete_:
      return "DELETE";
  }
  return "GET";
}

std::string default_user_agent() { return std::string("docker-dct/") + DCT_VERSION; }

Timeouts Timeouts::defaults() {
  Timeouts t;
  if (const char* env = std::getenv("DCT_HTTP_TIMEOUT"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const double seconds = std::strtod(env, &end);
    if (end != env && *end == '\0' && seconds > 0 && seconds < 86400) {
      t.connect = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
      t.low_speed = std::chrono::seconds(std::max(1L, static_cast<long>(std::ceil(seconds))));
    }
  }
  return t;
}

namespace {

bool is_redirect(const Response& r) {
  return r.completed() && (r.status == 301 || r.status == 302 || r.status == 303 ||
                           r.status == 307 || r.status == 308);
}

// The request a redirect asks for, or an error response. Leaving the host drops what was meant
// for it alone: the client certificate and the Authorization header.
std::variant<Request, Response> follow(const Request& current, const Response& answer) {
  Response failure;
  failure.status = answer.status;
  failure.error = TransferError::network;
  const auto location = answer.headers.get("Location");
  const auto next_url = location ? resolve_location(current.url, *location) : std::nullopt;
  if (!next_url) {
    failure.error_message = "a redirect without a usable Location";
    return failure;
  }
  const auto next_origin = parse_origin(*next_url);
  if (!next_origin || next_origin->scheme != "https") {
    failure.error_message = "refusing a redirect that is not https: " + loggable_url(*next_url);
    return failure;
  }
  Request next = current;
  next.url = *next_url;
  if (parse_origin(current.url) != next_origin) {
    next.tls.client_cert.clear();
    next.tls.client_key.clear();
    next.headers.remove("Authorization");
  }
  return next;
}

}  // namespace

// A multi handle with its own connections and idle easy handles. A batch runs on one lane;
// batches from other threads run at the same time on other lanes. A thread gets back the lane
// it used last when that one is free, so its connections are reused even when another thread
// (a fetch from another server meanwhile) gave a lane back after it.
struct TransportLane {
  curl::Multi multi = curl::make_multi();
  std::vector<curl::Easy> idle;  // reset easy handles, ready for the next transfer
  std::thread::id last_thread;   // who ran the last batch on it

  curl::Easy take_easy() {
    if (idle.empty()) return curl::make_easy();
    curl::Easy easy = std::move(idle.back());
    idle.pop_back();
    return easy;
  }

  void give_back(curl::Easy easy) {
    curl_easy_reset(easy.get());
    idle.push_back(std::move(easy));
  }
};

// The share handle (DNS cache, TLS sessions) is used by the lanes of several threads.
struct TransportShareLocks {
  std::mutex locks[CURL_LOCK_DATA_LAST];
};

namespace {

void transport_share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<TransportShareLocks*>(user)->locks[data].lock();
}

void transport_share_unlock(CURL*, curl_lock_data data, void* user) {
  static_cast<TransportShareLocks*>(user)->locks[data].unlock();
}

}  // namespace

// Connections per host for parallel batches of the process-wide transport.
constexpr long kSharedHostConnections = 6;

struct Transport::Impl {
  TransportShareLocks share_locks;  // outlives the share
  curl::Share share = curl::make_share();
  std::mutex lanes_mutex;
  std::vector<std::unique_ptr<TransportLane>> free_lanes;  // most recently used last
  CaBundleCache ca_bundles;
  std::mutex debug_mutex;
  DebugHook debug;
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<bool> far{false};  // a batch waited longer than widen_after for an answer

  Impl() {
    curl_share_setopt(share.get(), CURLSHOPT_USERDATA, &share_locks);
    curl_share_setopt(share.get(), CURLSHOPT_LOCKFUNC, transport_share_lock);
    curl_share_setopt(share.get(), CURLSHOPT_UNLOCKFUNC, transport_share_unlock);
  }

  std::unique_ptr<TransportLane> take_lane(const TransportOptions& options) {
    {
      std::lock_guard lock(lanes_mutex);
      if (!free_lanes.empty()) {
        auto mine = std::find_if(free_lanes.rbegin(), free_lanes.rend(), [](const auto& l) {
          return l->last_thread == std::this_thread::get_id();
        });
        auto it = mine == free_lanes.rend() ? free_lanes.end() - 1 : std::next(mine).base();
        auto lane = std::move(*it);
        free_lanes.erase(it);
        return lane;
      }
    }
    auto lane = std::make_unique<TransportLane>();
    CURLM* multi = lane->multi.get();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      std::max(1L, options.max_host_connections));
    // Keep idle connections between batches; libcurl's default shrinks the cache with the
    // number of transfers in flight, which drops connections at the end of every batch.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 64L);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING,
                      static_cast<long>(options.http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING));
    return lane;
  }

  void give_back(std::unique_ptr<TransportLane> lane) {
    lane->last_thread = std::this_thread::get_id();
    std::lock_guard lock(lanes_mutex);
    free_lanes.push_back(std::move(lane));
  }

  void finish(Transfer& t, CURLcode code) {
    connections += static_cast<std::uint64_t>(std::max(0L, finish_transfer(t, code)));
    std::lock_guard lock(debug_mutex);
    if (!debug) return;
    DebugEvent ev;
    ev.method = method_name(t.request->method);
    ev.url = loggable_url(t.request->url);
    ev.status = t.response.status;
    ev.error = t.response.error;
    ev.error_message = t.response.error_message;
    ev.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t.started).count();
    ev.new_connection = t.response.new_connection;
    debug(ev);
  }
};

Transport::Transport(TransportOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  if (options_.max_in_flight == 0) options_.max_in_flight = 1;
}

Transport::~Transport() = default;

Transport& Transport::shared() {
  // Never destroyed: other static objects may still use it during exit.
  // HTTP/2 where the server offers it (the registry does; notary-server and most token
  // services answer HTTP/1.1): parallel requests then share one connection. An HTTP/1.1
  // server gets a batch of independent requests on parallel connections: across a WAN a new
  // connection (TCP + TLS 1.3, two round trips) beats queueing four requests on one.
  // DCT_HTTP2=0 keeps every connection on HTTP/1.1.
  static Transport* transport = [] {
    TransportOptions options;
    const char* env = std::getenv("DCT_HTTP2");
    options.http2 = env == nullptr || std::string_view(env) != "0";
    options.max_host_connections = kSharedHostConnections;
    return new Transport(std::move(options));
  }();
  return *transport;
}

void Transport::set_debug_hook(DebugHook hook) {
  std::lock_guard lock(impl_->debug_mutex);
  impl_->debug = std::move(hook);
}

TransportStats Transport::stats() const {
  return {impl_->requests.load(), impl_->connections.load()};
}

Response Transport::perform(const Request& request) {
  return std::move(run_following({&request}).front());
}

std::vector<Response> Transport::perform_all(const std::vector<Request>& requests) {
  std::vector<const Request*> pointers;
  pointers.reserve(requests.size());
  for (const auto& r : requests) pointers.push_back(&r);
  return run_following(pointers);
}

std::vector<Response> Transport::run_following(const std::vector<const Request*>& requests) {
  std::vector<Response> out = run(requests);
  // Redirects of requests with a client certificate (libcurl follows all others itself).
  std::vector<Request> current;
  std::vector<std::size_t> index;  // position in `current` -> position in `out`
  auto collect = [&](const Request& sent, std::size_t i) {
    if (libcurl_follows_redirects(sent) || !sent.follow_redirects ||
        (sent.method != Method::get && sent.method != Method::head) || !is_redirect(out[i])) {
      return;
    }
    auto next = follow(sent, out[i]);
    if (auto* failed = std::get_if<Response>(&next)) {
      out[i] = std::move(*failed);
      return;
    }
    current.push_back(std::get<Request>(std::move(next)));
    index.push_back(i);
  };
  for (std::size_t i = 0; i < requests.size(); ++i) collect(*requests[i], i);
  for (int hop = 0; !current.empty(); ++hop) {
    if (hop == kMaxRedirects) {
      for (std::size_t i : index) {
        out[i].error = TransferError::network;
        out[i].error_message = "more than " + std::to_string(kMaxRedirects) + " redirects";
      }
      break;
    }
    std::vector<const Request*> pointers;
    for (const auto& r : current) pointers.push_back(&r);
    std::vector<Response> answers = run(pointers);
    std::vector<Request> sent = std::move(current);
    std::vector<std::size_t> sent_index = std::move(index);
    current.clear();
    index.clear();
    for (std::size_t k = 0; k < sent.size(); ++k) {
      out[sent_index[k]] = std::move(answers[k]);
      collect(sent[k], sent_index[k]);
    }
  }
  return out;
}

std::vector<Response> Transport::run(const std::vector<const Request*>& requests) {
  std::vector<Response> results(requests.size());
  if (requests.empty()) return results;
  Impl& im = *impl_;
  struct LaneHolder {
    Impl& im;
    std::unique_ptr<TransportLane> lane;
    ~LaneHolder() { im.give_back(std::move(lane)); }
  } held{im, im.take_lane(options_)};
  TransportLane& lane = *held.lane;
  CURLM* multi = lane.multi.get();

  std::map<CURL*, std::unique_ptr<Transfer>> active;
  std::size_t next = 0;
  const bool parallel = requests.size() >= options_.parallel_threshold;
  std::size_t in_flight = parallel && im.far ? options_.max_in_flight : 1;
  // While the batch runs one request at a time: when the one in flight is overdue.
  auto widen_at = [&]() -> std::optional<std::chrono::steady_clock::time_point> {
    if (!parallel || in_flight != 1 || active.empty()) return std::nullopt;
    const Transfer& t = *active.begin()->second;
    curl_off_t connect_us = 0;  // 0 until connected, and on a reused connection
    curl_easy_getinfo(t.easy.get(), CURLINFO_CONNECT_TIME_T, &connect_us);
    const bool near = connect_us > 0 && connect_us < 1000;
    return t.started + (near ? std::max(options_.widen_after, options_.widen_after_near)
                             : options_.widen_after);
  };

  auto start_more = [&] {
    while (next < requests.size() && active.size() < in_flight) {
      const std::size_t index = next++;
      const Request& req = *requests[index];
      ++im.requests;
      if (const auto origin = parse_origin(req.url); !origin || origin->scheme != "https") {
        results[index].error = TransferError::network;
        results[index].error_message =
            (origin ? "refusing a request that is not https: " : "refusing an unusable URL: ") +
            req.url;
        continue;
      }
      auto t = std::make_unique<Transfer>();
      t->easy = lane.take_easy();
      t->request = &req;
      t->index = index;
      t->started = std::chrono::steady_clock::now();
      try {
        configure_transfer(*t, options_, im.share.get(), im.ca_bundles);
      } catch (const Error& e) {
        results[index].error =
            e.code() == ErrorCode::tls_config ? TransferError::tls : TransferError::network;
        results[index].error_message = e.what();
        lane.give_back(std::move(t->easy));
        continue;
      }
      if (curl_multi_add_handle(multi, t->easy.get()) != CURLM_OK) {
        results[index].error = TransferError::network;
        results[index].error_message = "libcurl could not start the request";
        lane.give_back(std::move(t->easy));
        continue;
      }
      CURL* key = t->easy.get();
      active.emplace(key, std::move(t));
    }
  };

  start_more();
  while (!active.empty()) {
    int running = 0;
    const CURLMcode mc = curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = active.find(msg->easy_handle);
      if (it == active.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active.erase(it);
      curl_multi_remove_handle(multi, t->easy.get());
      im.finish(*t, msg->data.result);
      results[t->index] = std::move(t->response);
      lane.give_back(std::move(t->easy));
    }
    if (mc != CURLM_OK) {
      // The multi handle is broken: fail what is left instead of spinning.
      for (auto& [easy, t] : active) {
        curl_multi_remove_handle(multi, easy);
        results[t->index].error = TransferError::network;
        results[t->index].error_message = curl_multi_strerror(mc);
        lane.give_back(std::move(t->easy));
      }
      active.clear();
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (auto at = widen_at(); at && now >= *at) {
      in_flight = options_.max_in_flight;
      im.far = true;
    }
    start_more();
    if (active.empty()) break;
    int wait_ms = 1000;
    if (auto at = widen_at()) {
      const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(*at - now).count();
      wait_ms = static_cast<int>(std::clamp<long long>(remaining, 0, wait_ms));
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  return results;
}

}  // namespace dct::registry
