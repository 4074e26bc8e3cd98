// Helpers shared by the job.* gates and by `schemagate plan`: field paths for
// messages, image references, and the "does this Job look like a
// database migration" heuristic. Not a gate (no .md: the registry test skips it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/cluster_view.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

// "Job migrate-orders", or "The Job" when it has no name yet (generateName).
std::string job_title(const Job& job);

// "spec.template.spec.containers[0]" / "spec.template.spec.initContainers[1]".
std::string container_path(bool init, std::size_t index);

// A finding's location at a Job field ("spec.backoffLimit").
inline Location at_field(std::string path) {
  Location l;
  l.source = std::move(path);
  return l;
}

// Every container of the pod, init containers first, with its field path.
struct ContainerRef {
  const Container* container = nullptr;
  bool init = false;
  std::size_t index = 0;
  std::string path() const { return container_path(init, index); }
};
std::vector<ContainerRef> all_containers(const Job& job);

// An image reference split as the registry sees it.
struct ImageRef {
  std::string registry;    // "ghcr.io", empty for Docker Hub shorthand
  std::string repository;  // "migrate/migrate", "amacneil/dbmate"
  std::string tag;         // "v4.17.0", empty when none
  std::string digest;      // "sha256:...", empty when none
  // repository with registry, without tag or digest: how messages name an image.
  std::string name() const { return registry.empty() ? repository : registry + "/" + repository; }
};
ImageRef parse_image(std::string_view image);

// Why a Job looks like a database migration ("image migrate/migrate", "command goose",
// "ConfigMap orders-sql with migration files"), or nullopt. Reads the ConfigMaps the
// Job mounts from ctx.cluster when it has them.
std::optional<std::string> migration_evidence(const Job& job, const Context& ctx);

}  // namespace schemagate::gates::job
