// Poll a background run's status and update the progress bar until it is done or failed.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const id = box.dataset.job;
  const pct = (p) => Math.round(100 * p) + "%";
  async function tick() {
    let job;
    try {
      const r = await fetch("/api/jobs/" + id, { credentials: "same-origin" });
      if (!r.ok) throw new Error(r.status);
      job = await r.json();
    } catch (e) {
      setTimeout(tick, 2000);
      return;
    }
    box.dataset.status = job.status;
    document.getElementById("job-status").textContent = job.status;
    document.getElementById("job-stage").textContent = job.stage;
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = pct(job.progress);
    document.getElementById("job-message").textContent = job.message || "";
    if (job.status === "done") {
      document.getElementById("job-link").hidden = false;
    } else if (job.status !== "failed") {
      setTimeout(tick, 700);
    }
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") tick();
})();
