#include "gates/job/require_image_digest.hpp"

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireImageDigest::info() const {
  static const GateInfo kInfo{
      "job.require-image-digest",
      "A migration Job should run images pinned by digest, so the reviewed Job runs the reviewed code.",
      Category::kJob,
      Severity::kWarning,
      {}};
  return kInfo;
}

void RequireImageDigest::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  for (const ContainerRef& ref : all_containers(job)) {
    const Container& c = *ref.container;
    ImageRef image = parse_image(c.image);
    if (image.digest.rfind("sha256:", 0) == 0) continue;
    std::string by = image.tag.empty() ? "without a tag or digest (:latest)" : "by tag " + image.tag;
    out.report(at_field(ref.path() + ".image"),
               job_title(job) + " runs image " + image.name() + " " + by + " in container " + c.name +
                   ": a tag can be moved, so the Job may run code other than what was reviewed.",
               "Pin the image by digest: " + image.name() + (image.tag.empty() ? "" : ":" + image.tag) +
                   "@sha256:<digest> (docker buildx imagetools inspect shows it).");
  }
}

}  // namespace schemagate::gates::job
