import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { adoptUrlToken } from './api'
import { i18n } from './i18n'
import { createAppRouter } from './router'
import './styles/base.css'

// Browser mode: the token arrives in the URL fragment, which the router would otherwise read as a route.
if (!window.api) adoptUrlToken()

createApp(App).use(createPinia()).use(i18n).use(createAppRouter()).mount('#app')
