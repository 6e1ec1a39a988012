// The variables of CKAN's resource views (preload_resource, …), from the JSON
// block of templates/thueringen/view_data.html: the portal's
// Content-Security-Policy runs no inline script.
(function () {
  var block = document.getElementById("thueringen-view-data");
  if (!block) {
    return;
  }
  var data = JSON.parse(block.textContent);
  Object.keys(data).forEach(function (name) {
    window[name] = data[name];
  });
})();
