// The one way sensoryd includes Boost.Asio. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>, which g++ 12 rejects; including it first fixes every user.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sensoryd {
namespace asio = boost::asio;
}
