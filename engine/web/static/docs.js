// Swagger UI over this server's own OpenAPI document (no CDN: the bundle is served by shixian).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
