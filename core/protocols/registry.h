// Every protocol Hugin knows, in the order inference tries them.
#pragma once

#include <span>

#include "core/protocols/common/parser.h"

namespace hugin::protocols {

std::span<const ProtocolTraits* const> Registry();

}  // namespace hugin::protocols
